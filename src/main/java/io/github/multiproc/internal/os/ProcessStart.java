package io.github.multiproc.internal.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * When a process started, as an opaque number that is the same each time it is read for the same process: on Linux
 * the start time in clock ticks from {@code /proc/<pid>/stat}, elsewhere milliseconds since the epoch. Parent and
 * child compare it to tell a live process from a reused pid. {@link ProcessHandle.Info} would also look up the user
 * and the command line, which costs more than starting a small program.
 */
public final class ProcessStart {
    private static final boolean PROC_STAT = Files.isReadable(Path.of("/proc/self/stat"));

    private ProcessStart() {
    }

    /** What {@link #status} found out about a recorded process. */
    public enum Status {
        /** It runs, and started at the recorded instant. */
        ALIVE,
        /** It has ended (no such process, or only its exit status is left), or its pid now names another process. */
        GONE,
        /**
         * The operating system could not be asked (a read of {@code /proc} failed, with too many open files for
         * example): it may well run, so nothing may be concluded from it.
         */
        UNKNOWN
    }

    /**
     * Returns the start of {@code handle}'s process.
     *
     * @param handle the process
     * @return its start, or 0 where the platform cannot tell (or the process is gone)
     */
    public static long of(ProcessHandle handle) {
        if (PROC_STAT) {
            try {
                return procStat(handle.pid()).start();
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * Returns the start of this JVM's own process; unlike {@link #of}, a read of {@code /proc} that fails is an
     * error, never 0.
     *
     * @return its start, or 0 where the platform cannot tell
     * @throws IOException if {@code /proc/self/stat} cannot be read now (too many open files, for example)
     */
    public static long ofCurrent() throws IOException {
        ProcessHandle self = ProcessHandle.current();
        if (PROC_STAT) {
            try {
                return procStat(self.pid()).start();
            } catch (RuntimeException e) {
                throw new IOException("cannot parse /proc/" + self.pid() + "/stat", e);
            }
        }
        return of(self);
    }

    /**
     * Returns whether {@code handle}'s process runs: it is alive, and not a zombie (which has ended, only its exit
     * status is left for its parent). One that cannot be read counts as running.
     *
     * @param handle the process
     * @return whether it runs
     */
    public static boolean running(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        if (PROC_STAT) {
            try {
                char state = procStat(handle.pid()).state();
                return state != 'Z' && state != 'X';
            } catch (NoSuchFileException e) {
                return false;
            } catch (IOException | RuntimeException e) {
                return true;
            }
        }
        return true;
    }

    /**
     * Tells whether the process {@code pid} that started at {@code start} still runs. Only an answer of the
     * operating system that it is not there (or is a zombie, or started at another instant) is {@link Status#GONE};
     * a read that fails is {@link Status#UNKNOWN}.
     *
     * @param pid the recorded pid
     * @param start its recorded start (see {@link #of})
     * @return what could be told
     */
    public static Status status(long pid, long start) {
        if (PROC_STAT) {
            Stat stat;
            try {
                stat = procStat(pid);
            } catch (NoSuchFileException e) {
                return Status.GONE;
            } catch (IOException | RuntimeException e) {
                return Status.UNKNOWN;
            }
            if (stat.state() == 'Z' || stat.state() == 'X') {
                return Status.GONE; // a zombie has ended; only its parent's wait is missing
            }
            return stat.start() == start ? Status.ALIVE : Status.GONE;
        }
        // the JDK does not tell a failed look-up from a missing process here
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return Status.GONE;
        }
        long actual = handle.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        if (actual == 0) {
            return start == 0 ? Status.ALIVE : Status.UNKNOWN; // recorded where the start could not be told either
        }
        return actual == start ? Status.ALIVE : Status.GONE;
    }

    /** The fields of {@code /proc/<pid>/stat} read here: the state (field 3) and the start time (field 22). */
    private record Stat(char state, long start) {
    }

    private static Stat procStat(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the fields after the command, which may hold spaces and parentheses
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new Stat(fields[0].charAt(0), Long.parseLong(fields[19]));
    }
}
