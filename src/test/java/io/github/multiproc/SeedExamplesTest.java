package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed tutorial's Python examples (os.fork/os.wait, Process with target, Process subclass) written with this
 * library, asserting what the tutorial's output shows.
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class SeedExamplesTest {

    @BeforeEach
    void startWithoutChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    /** {@code ret = os.fork()}: the child prints and raises; the parent prints, then {@code os.wait()} gives 256. */
    @Test
    void forkAndWaitAny_childRaises_waitStatus256() throws Exception {
        List<String> childLines = new CopyOnWriteArrayList<>();
        // a body that ends in throw fits both task overloads; like ExecutorService.submit, the callable one wins
        ChildProcess<Object> child = Fork.task(() -> {
            System.out.println("I am the child, pid " + Fork.pid() + ", ppid " + Fork.ppid().orElse(-1));
            for (int i = 0; i < 10; i++) {
                System.out.println("I am the child");
                Thread.sleep(10); // the tutorial's pacing, so that parent and child lines interleave
            }
            throw new Exception("raised exception state");
        }).onOutputLine(childLines::add).start();

        System.out.println("I am the parent, pid " + Fork.pid() + ", ppid " + Fork.ppid().orElse(-1));
        for (int i = 0; i < 5; i++) {
            System.out.println("parent");
        }
        System.out.println("parent task done");

        ChildProcess<?> ended = Fork.waitAny(Await.CHILD_DEADLINE).orElseThrow(
                () -> new AssertionError("waitAny: no child ended within " + Await.CHILD_DEADLINE));
        System.out.println("child ended, pid " + ended.pid() + ", status "
                + ended.exitStatus().map(ExitStatus::waitStatus));

        assertThat(ended.pid()).isEqualTo(child.pid());
        assertThat(ended.exitStatus()).hasValueSatisfying(status -> {
            assertThat(status.waitStatus()).isEqualTo(256);
            assertThat(status.code()).isEqualTo(1);
            assertThat(status.signal()).isEmpty();
        });
        Await.until(Duration.ofSeconds(5), () -> "10 child lines in " + childLines,
                () -> childLines.stream().filter("I am the child"::equals).count() == 10);
        assertThat(childLines).contains("I am the child, pid " + child.pid() + ", ppid " + Fork.pid());
    }

    /** {@code Process(target=process_fun, args=(1,2), kwargs={'A':'a'}, name='test')}, terminated early. */
    @Test
    void processWithTarget_terminatedAfterFirstRound_endsBySigterm() throws Exception {
        List<Integer> args = List.of(1, 2);
        Map<String, String> kwargs = Map.of("A", "a");
        List<String> lines = new CopyOnWriteArrayList<>();
        CountDownLatch firstRound = new CountDownLatch(1);
        ChildProcess<Void> p = Fork.task(() -> processFun(args, kwargs))
                .name("test")
                .onOutputLine(recordAndSignal(lines, firstRound))
                .start();
        System.out.println("parent pid " + Fork.pid());
        assertThat(p.name()).isEqualTo("test");

        assertThat(firstRound.await(30, SECONDS)).as("first round of output: %s", lines).isTrue();
        p.terminate();
        ExitStatus status = Await.exit(p, Duration.ofSeconds(10));

        assertThat(status.signal()).hasValue(15);
        assertThat(status.waitStatus()).isEqualTo(15);
        assertThat(p.isAlive()).isFalse();
        assertThat(p.exitStatus()).hasValue(status);
        assertThat(lines).containsSubsequence("helloworld", "[1, 2]", "{A=a}", "child pid: " + p.pid());
    }

    /** {@code class process_fun(Process)} with {@code self.args}, {@code self.kwargs} and {@code run()}. */
    @Test
    void processSubclass_fieldsTravelToChild_printsThem() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        CountDownLatch firstRound = new CountDownLatch(1);
        ChildProcess<Void> p = Fork.task(new ProcessFun(List.of(1, 2), Map.of("A", "a")))
                .onOutputLine(recordAndSignal(lines, firstRound))
                .start();
        System.out.println("parent pid " + Fork.pid());

        assertThat(firstRound.await(30, SECONDS)).as("first round of output: %s", lines).isTrue();
        p.terminate();
        ExitStatus status = Await.exit(p, Duration.ofSeconds(10));

        assertThat(status.signal()).hasValue(15);
        assertThat(p.isAlive()).isFalse();
        assertThat(p.name()).startsWith("child-");
        assertThat(lines)
                .containsSubsequence("helloworld", "{'args': [1, 2], 'kwargs': {A=a}}", "child pid: " + p.pid());
    }

    private static Consumer<String> recordAndSignal(List<String> lines, CountDownLatch firstRound) {
        return line -> {
            lines.add(line);
            if (line.startsWith("child pid: ")) {
                firstRound.countDown();
            }
        };
    }

    private static void processFun(List<Integer> args, Map<String, String> kwargs) throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            System.out.println("helloworld");
            System.out.println(args);
            System.out.println(kwargs);
            System.out.println("child pid: " + Fork.pid());
            System.out.flush();
            Thread.sleep(100); // the tutorial's pacing; the parent does not depend on it
        }
    }

    /** The Java form of subclassing {@code Process}: a named task class with fields. */
    static final class ProcessFun implements SerializableRunnable {
        private final List<Integer> args;
        private final Map<String, String> kwargs;

        ProcessFun(List<Integer> args, Map<String, String> kwargs) {
            this.args = args;
            this.kwargs = kwargs;
        }

        @Override
        public void run() throws InterruptedException {
            for (int i = 0; i < 10; i++) {
                System.out.println("helloworld");
                System.out.println("{'args': " + args + ", 'kwargs': " + kwargs + "}");
                System.out.println("child pid: " + Fork.pid());
                System.out.flush();
                Thread.sleep(100);
            }
        }
    }
}
