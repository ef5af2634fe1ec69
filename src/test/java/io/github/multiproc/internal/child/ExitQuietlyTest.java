package io.github.multiproc.internal.child;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child whose main returns instead of calling {@code System.exit}: only when no other non-daemon thread lives, and
 * a thread started after that check cannot keep the JVM alive past the grace period.
 */
@Timeout(60)
final class ExitQuietlyTest {

    /** A JVM that returns from main as a child does, in the given way: {@code clean}, {@code before}, {@code after}. */
    public static final class Fixture {
        public static void main(String[] args) {
            if (args[0].equals("before")) {
                parkForever(); // a non-daemon thread the task left behind
            }
            if (!ExitQuietly.begin()) {
                System.exit(5); // what ChildMain does then, with the task's status; 5 marks the way here
            }
            if (args[0].equals("after")) {
                parkForever(); // started after the check (by a daemon thread of the task's, say)
            }
        }

        private static void parkForever() {
            Thread t = new Thread(() -> {
                while (true) {
                    LockSupport.park();
                }
            }, "left-running");
            t.setDaemon(false);
            t.start();
        }
    }

    private static Process run(String way) throws Exception {
        return new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Fixture.class.getName(), way))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    @Test
    void begin_noOtherNonDaemonThread_mainReturnsAndJvmEndsWithZero() throws Exception {
        Process p = run("clean");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void begin_otherNonDaemonThreadLives_refusesSoCallerExits() throws Exception {
        Process p = run("before");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(5);
    }

    @Test
    void begin_nonDaemonThreadStartedAfterCheck_fallbackEndsJvmWithZeroAfterGrace() throws Exception {
        long start = System.nanoTime();
        Process p = run("after");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ended by the fallback").isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(ExitQuietly.GRACE_MILLIS);
    }
}
