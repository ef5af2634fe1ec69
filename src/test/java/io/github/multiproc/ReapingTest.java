package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import io.github.multiproc.testing.OsProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** No zombies, no leaked file descriptors or threads, however many children come and go. */
@Timeout(value = 120, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ReapingTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void exec_300ChildrenNeverJoined_noZombieLeft() throws Exception {
        long self = Fork.pid();
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            pids.add(Fork.exec("true").pid());
        }

        // None may stay our child: a zombie is a child that exited and was not reaped.
        Await.until(Duration.ofSeconds(30), () -> "still children of this JVM: " + describeOurs(pids, self),
                () -> stillOurs(pids, self).isEmpty() && osChildren().stream().noneMatch(pids::contains));

        Assumptions.assumeTrue(OsProcess.hasProcFs(), "zombie states are read from /proc (Linux)");
        assertThat(zombieChildren(self)).as("zombie children of this JVM").isEmpty();
    }

    @Test
    void exec_200ChildrenJoined_noFileDescriptorOrThreadGrowth() throws Exception {
        // Warm up: let the library create whatever it keeps for the JVM's lifetime.
        for (int i = 0; i < 5; i++) {
            Await.exit(Fork.exec("true"));
            Await.exit(Fork.command("echo", "warm").onOutputLine(line -> { }).start());
        }
        LeftoverChildren.endAndDrain();
        Await.until(Duration.ofSeconds(10), () -> "warm-up threads to wind down: " + multiprocThreads(),
                () -> multiprocThreads().isEmpty());
        long fdsBefore = openFileDescriptors();
        int threadsBefore = Thread.activeCount();
        int allThreadsBefore = Thread.getAllStackTraces().size();

        AtomicLong lines = new AtomicLong();
        List<ChildProcess<Void>> children = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            children.add(Fork.exec("true"));
            children.add(Fork.command("echo", "line " + i).onOutputLine(line -> lines.incrementAndGet()).start());
        }
        for (ChildProcess<Void> child : children) {
            assertThat(Await.exit(child).success()).isTrue();
        }
        LeftoverChildren.endAndDrain();

        Await.until(Duration.ofSeconds(10),
                () -> "threads to wind down: before " + allThreadsBefore + ", now " + threadNames(),
                () -> Thread.activeCount() <= threadsBefore + 10
                        && Thread.getAllStackTraces().size() <= allThreadsBefore + 10);
        Await.until(Duration.ofSeconds(10),
                () -> "file descriptors to be closed: before " + fdsBefore + ", now " + openFileDescriptors(),
                () -> !OsProcess.hasProcFs() || openFileDescriptors() <= fdsBefore + 10);
        Await.until(Duration.ofSeconds(5), () -> lines + " of 100 lines", () -> lines.get() == 100);
        assertThat(multiprocThreads()).as("library threads left after all children ended").isEmpty();
    }

    private static List<Long> stillOurs(List<Long> pids, long self) {
        if (!OsProcess.hasProcFs()) {
            return List.of();
        }
        return pids.stream()
                .filter(pid -> OsProcess.stat(pid).map(stat -> stat.ppid() == self).orElse(false))
                .collect(Collectors.toList());
    }

    private static String describeOurs(List<Long> pids, long self) {
        List<Long> ours = stillOurs(pids, self);
        return ours.size() + " " + ours.stream().limit(10).map(OsProcess::describe).collect(Collectors.toList());
    }

    private static Set<Long> osChildren() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static List<String> zombieChildren(long self) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .map(OsProcess::stat)
                    .flatMap(stat -> stat.stream())
                    .filter(stat -> stat.ppid() == self && stat.isZombie())
                    .map(stat -> OsProcess.describe(stat.pid()))
                    .collect(Collectors.toList());
        }
    }

    private static long openFileDescriptors() {
        if (!OsProcess.hasProcFs()) {
            return 0;
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
    }

    private static List<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().collect(Collectors.toList());
    }

    /** Threads the library names after children ({@code multiproc-<name>...}), excluding long-lived ones it keeps. */
    private static List<String> multiprocThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("multiproc-true") || name.startsWith("multiproc-echo"))
                .sorted()
                .collect(Collectors.toList());
    }
}
