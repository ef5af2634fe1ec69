package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.multiproc.cluster.ClusterPool;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.ClusterNodes;
import io.github.multiproc.testing.OsProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every Java snippet of the README, compiled and run. {@link #readme_javaBlocks_appearHereVerbatim()} checks that
 * each {@code ```java} block of README.md stands in this file line for line (lines ending in {@code // test-only}
 * are this file's own checks, skipped in the comparison), so the two cannot drift apart.
 */
@Timeout(120)
final class ReadmeExamplesTest {

    @Test
    void readme_javaBlocks_appearHereVerbatim() throws IOException {
        List<String> source = stripped(Files.readAllLines(Path.of("src/test/java/io/github/multiproc/"
                + "ReadmeExamplesTest.java"))).stream().filter(l -> !l.endsWith("// test-only"))
                .collect(Collectors.toList());
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        int blocks = 0;
        while (m.find()) {
            blocks++;
            List<String> block = stripped(List.of(m.group(1).split("\n")));
            if (java.util.Collections.indexOfSubList(source, block) < 0) {
                fail("README block " + blocks + " is not in ReadmeExamplesTest:\n" + m.group(1));
            }
        }
        assertThat(blocks).isGreaterThanOrEqualTo(8);
    }

    private static List<String> stripped(List<String> lines) {
        return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.toList());
    }

    @Test
    void scaleOut_aClusterPoolInFiveLines() throws Exception {
        ClusterNodes nodes = ClusterNodes.shared(); // test-only
        String clusterName = "jobs";                                        // as given to each node
        clusterName = nodes.clusterName(); // test-only
        String[] members = {"10.0.0.5:5701", "10.0.0.6:5701"};              // one node is enough; the rest are found
        members = nodes.addresses().subList(0, 2).toArray(new String[0]); // test-only
        try (Pool pool = ClusterPool.builder().clusterName(clusterName).members(members).build()) {
            System.out.println(pool.map((Integer x) -> x * x, List.of(1, 2, 3)));   // [1, 4, 9], on the nodes' workers
            assertThat(pool.map((Integer x) -> x * x, List.of(1, 2, 3))).containsExactly(1, 4, 9); // test-only
            assertThat(pool.apply(Fork::pid)).isNotEqualTo(Fork.pid()); // test-only
        }
    }

    @Test
    void fiveLineExample() throws Exception {
        ChildProcess<Integer> child = Fork.call(() -> 6 * 7);   // a fresh JVM runs the lambda
        int answer = child.result();                            // 42, as soon as the child has sent it
        System.out.println(child.pid() + " " + child.join());   // 12345 exit code 0, once its JVM has exited
        assertThat(answer).isEqualTo(42);
        assertThat(child.exitStatus()).contains(ExitStatus.of(0));
    }

    @Test
    void taskChildren_builder() throws Exception {
        ChildProcess<String> child = Fork.task(() -> System.getProperty("greeting") + " from " + Fork.pid())
                .name("greeter")
                .systemProperty("greeting", "hello")
                .jvmOptions("-Xmx256m")
                .start();
        System.out.println(child.result());                       // hello from 12346
        assertThat(child.result()).isEqualTo("hello from " + child.pid());
        assertThat(child.name()).isEqualTo("greeter");
    }

    @Test
    void taskChildren_exception() throws Exception {
        ChildProcess<Void> child = Fork.run(() -> {
            throw new IllegalStateException("boom");
        });
        try {
            child.result();
        } catch (ChildFailedException e) {
            System.out.println(e.getCause());                     // java.lang.IllegalStateException: boom
            System.out.println(child.join().waitStatus());        // 256, as os.wait() says
        }
        assertThatThrownBy(child::result).isInstanceOf(ChildFailedException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(child.exitStatus().orElseThrow().waitStatus()).isEqualTo(256);
    }

    @Test
    void taskChildren_notSerializable() {
        List<ChildProcess<?>> before = Fork.activeChildren();     // earlier tests' children may still be exiting
        Object lock = new Object();                               // not Serializable
        try {
            Fork.call(() -> lock.hashCode());
        } catch (NotSerializableTaskException e) {
            System.out.println(e.getMessage());
            // task lambda in Example.lambda$main$0 cannot be serialized: captured arg 0 (java.lang.Object) is not serializable
        }
        assertThatThrownBy(() -> Fork.call(() -> lock.hashCode())).isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("captured arg 0 (java.lang.Object) is not serializable");
        assertThat(Fork.activeChildren()).as("no child started").allMatch(before::contains);
    }

    @Test
    void subclassingProcess() throws Exception {
        assertThat(download()).isEqualTo("https://example.com/big.iso".length());
    }

    /** Static, so that the local class does not capture the (not serializable) test instance. */
    private static long download() throws Exception {
        final class Download implements SerializableCallable<Long> {
            private final String url;

            Download(String url) {
                this.url = url;
            }

            @Override
            public Long call() {
                return (long) url.length();                       // the work, in the child
            }
        }

        long size = Fork.task(new Download("https://example.com/big.iso")).start().result();
        return size;
    }

    @Test
    void waiting() throws Exception {
        drainWaitAny();
        ChildProcess<Void> a = Fork.run(() -> Thread.sleep(1500));
        ChildProcess<Void> b = Fork.run(() -> Thread.sleep(50));
        ChildProcess<?> first = Fork.waitAny();                  // os.wait(): b ends first
        ChildProcess<?> second = Fork.waitAny();                 // then a; a third call throws IllegalStateException
        System.out.println(first == b && second == a);           // true
        Fork.call(() -> 2 + 2).future().thenAccept(System.out::println).join();   // 4
        assertThat(first).isSameAs(b);
        assertThat(second).isSameAs(a);
    }

    /** Other tests' children that nobody waited for would be returned first. */
    private static void drainWaitAny() throws InterruptedException {
        List<ChildProcess<?>> ended = new ArrayList<>();
        try {
            for (ChildProcess<?> c : Fork.activeChildren()) {
                c.join();
            }
            while (true) {
                ended.add(Fork.waitAny());
            }
        } catch (IllegalStateException none) {
            // all waited for
        }
    }

    @Test
    void commandChildren() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ChildProcess<Void> ls = Fork.command("sh", "-c", "echo out; echo err >&2; exit 3")
                .onOutputLine(lines::add)                         // every line of stdout and stderr, always drained
                .start();
        System.out.println(ls.join() + " " + lines);              // exit code 3 [out, err] (order kept per stream)
        assertThat(ls.exitStatus()).contains(ExitStatus.of(3));
        assertThat(lines).containsExactlyInAnyOrder("out", "err");
    }

    @Test
    void terminateAndKill() throws Exception {
        ChildProcess<Void> sleeper = Fork.command("sh", "-c", "sleep 1000 & echo $!; wait")
                .stdout(ProcessBuilder.Redirect.PIPE).start();
        String sleep = new BufferedReader(new InputStreamReader(sleeper.stdout())).readLine(); // the sleep's pid
        sleeper.terminate();                                      // the shell and its sleep
        ExitStatus status = sleeper.join();
        System.out.println(status.signal().getAsInt() + " " + status.waitStatus()); // 15 15
        Await.until(Duration.ofSeconds(5), () -> "sleep " + sleep + " ended",
                () -> !OsProcess.isRunning(Long.parseLong(sleep)));
        assertThat(status.signal()).hasValue(15);
        assertThat(status.waitStatus()).isEqualTo(15);
    }

    @Test
    void reaping() {
        List<ProcessHandle> orphans = Fork.orphans();             // e.g. left by a JVM that was killed with SIGKILL
        int ended = Fork.reapOrphans();                           // SIGTERM, then SIGKILL after the grace period
        assertThat(ended).isGreaterThanOrEqualTo(0);
        assertThat(orphans).allMatch(p -> p.pid() != Fork.pid());
        assertThat(Fork.orphans()).isEmpty();
    }

    @Test
    void pools() throws Exception {
        try (ProcessPool pool = ProcessPool.create(4)) {
            List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3, 4));    // [1, 4, 9, 16]
            CompletableFuture<Long> pid = pool.applyAsync(() -> Fork.pid());      // runs in a worker
            System.out.println(squares + " from " + pid.join());
            assertThat(squares).containsExactly(1, 4, 9, 16); // test-only
            assertThat(pool.workerPids()).contains(pid.join()); // test-only
        }
    }

    static void test(int num) throws InterruptedException {
        System.out.println("start " + num);
        Thread.sleep(100);
        System.out.println("end " + num);
    }

    @Test
    void pools_seedAsyncThenSync() throws Exception {
        long t0 = System.nanoTime();
        try (ProcessPool pool = ProcessPool.create(4)) {
            for (int i = 0; i < 10; i++) {
                int num = i;
                pool.applyAsync(() -> test(num));                 // non-blocking: queued, four run at once
            }
            pool.shutdown();                                      // Python's pool.close(): no new tasks
            pool.join();                                          // wait for the queued tasks and the workers
        }
        // start 0  start 1  start 2  start 3  end 1  end 0  start 4  start 5  end 2 ...   (about 0.3 s)
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(300_000_000L); // test-only
        long t1 = System.nanoTime(); // test-only
        try (ProcessPool pool = ProcessPool.create(4)) {
            long t2 = System.nanoTime(); // test-only
            for (int i = 0; i < 10; i++) {
                int num = i;
                pool.apply(() -> test(num));                      // blocking: one task at a time
            }
            assertThat(System.nanoTime() - t2).isGreaterThanOrEqualTo(1_000_000_000L); // test-only
        }
        // start 0  end 0  start 1  end 1  start 2  end 2 ...   (about 1 s)
        assertThat(t1).isPositive();
    }

    @Test
    void pools_imapOfAnEndlessIterable() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            Iterable<Integer> naturals = () -> IntStream.iterate(1, n -> n + 1).iterator();   // endless
            List<Integer> firstSquares = pool.imap((Integer n) -> n * n, naturals).limit(5).collect(Collectors.toList());
            System.out.println(firstSquares);                     // [1, 4, 9, 16, 25]
            assertThat(firstSquares).containsExactly(1, 4, 9, 16, 25); // test-only
        }
    }

    @Test
    void whatHappensWhenAWorkerDies() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).taskTimeout(Duration.ofSeconds(5)).build()) {
            CompletableFuture<Integer> doomed = pool.applyAsync(() -> {
                Runtime.getRuntime().halt(99);                    // the worker dies mid-task
                return 0;
            });
            CompletableFuture<Integer> fine = pool.applyAsync(() -> 42);
            try {
                doomed.join();
            } catch (CompletionException e) {
                ChildCrashedException crash = (ChildCrashedException) e.getCause();
                System.out.println(crash.exitStatus() + " in worker " + crash.pid()); // exit code 99 in worker 12347
            }
            System.out.println(fine.join() + ", restarts: " + pool.stats().workerRestarts()); // 42, restarts: 1
            assertThatThrownBy(doomed::join).hasCauseInstanceOf(ChildCrashedException.class); // test-only
            assertThat(fine.join()).isEqualTo(42); // test-only
            assertThat(pool.stats().workerRestarts()).isEqualTo(1); // test-only
        }
    }

    @Test
    void talking_queue() throws Exception {
        try (ProcessQueue<String> queue = ProcessQueue.create()) {
            Fork.run(() -> queue.put("hello from " + Fork.pid()));  // a child puts
            System.out.println(queue.take());                        // hello from 12348
            assertThat(queue.size()).isZero(); // test-only
        }
    }

    @Test
    void talking_pipe() throws Exception {
        Pipe<Integer> pipe = Pipe.create();
        Connection<Integer> childEnd = pipe.second();
        Fork.run(() -> childEnd.send(childEnd.receive() + 1));      // the child answers on its end
        pipe.first().send(41);
        System.out.println(pipe.first().receive());                 // 42
        assertThatThrownBy(() -> pipe.first().receive()).isInstanceOf(IllegalStateException.class) // test-only
                .hasMessageContaining("ended"); // test-only
    }

    @Test
    void talking_eventLockCounter() throws Exception {
        ProcessEvent go = ProcessEvent.create();
        ProcessLock lock = ProcessLock.create();
        try (SharedLongArray total = SharedLongArray.create(1); ProcessPool pool = ProcessPool.create(2)) {
            CompletableFuture<List<Long>> adders = pool.mapAsync(x -> {
                go.await();                                          // all start together
                lock.lock();
                try {
                    total.set(0, total.get(0) + x);                  // read, then write: the lock keeps it whole
                } finally {
                    lock.unlock();
                }
                return total.getAndAdd(0, 0);
            }, List.of(1, 2, 3, 4));
            go.set();
            adders.join();
            System.out.println(total.get(0));                        // 10
            assertThat(total.get(0)).isEqualTo(10); // test-only
        }
    }

    @Test
    void talking_sharedMemory() throws Exception {
        try (SharedMemory memory = SharedMemory.create(1 << 20)) {  // 1 MiB in /dev/shm
            Fork.run(() -> memory.buffer().putInt(0, 42)).join();
            System.out.println(memory.buffer().getInt(0));           // 42
            assertThat(memory.buffer().getInt(0)).isEqualTo(42); // test-only
        }
    }
}
