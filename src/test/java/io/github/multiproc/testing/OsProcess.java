package io.github.multiproc.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the operating system says about a pid, independent of the library under test. On Linux it reads
 * {@code /proc/<pid>/stat}, so that a zombie (exited, not yet reaped) is told apart from a running process: in this
 * test environment pid 1 does not reap orphaned zombies, so "gone" must mean "not running", not "no /proc entry".
 */
public final class OsProcess {
    private OsProcess() {
    }

    /** One line of {@code /proc/<pid>/stat}, the fields the tests need. */
    public record Stat(long pid, char state, long ppid) {
        public boolean isZombie() {
            return state == 'Z' || state == 'X';
        }
    }

    /**
     * Returns whether {@code /proc} can be read (Linux).
     *
     * @return true on Linux
     */
    public static boolean hasProcFs() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    /**
     * Reads {@code /proc/<pid>/stat}.
     *
     * @param pid the pid
     * @return its state and parent, or empty if there is no such process (or no {@code /proc})
     */
    public static Optional<Stat> stat(long pid) {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException gone) {
            return Optional.empty();
        }
        // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so split after the last ')'
        int close = line.lastIndexOf(')');
        String[] rest = line.substring(close + 2).split(" ");
        return Optional.of(new Stat(pid, rest[0].charAt(0), Long.parseLong(rest[1])));
    }

    /**
     * Returns whether the process runs: it exists and is not a zombie.
     *
     * @param pid the pid
     * @return true while it runs
     */
    public static boolean isRunning(long pid) {
        if (hasProcFs()) {
            return stat(pid).map(s -> !s.isZombie()).orElse(false);
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Describes the process for failure messages.
     *
     * @param pid the pid
     * @return for example {@code "1234 (state S, ppid 1)"} or {@code "1234 (gone)"}
     */
    public static String describe(long pid) {
        return stat(pid).map(s -> pid + " (state " + s.state() + ", ppid " + s.ppid() + ")")
                .orElse(pid + " (gone)");
    }

    /**
     * Kills the process if it still runs; for cleaning up after a failed test.
     *
     * @param pid the pid
     */
    public static void killQuietly(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
