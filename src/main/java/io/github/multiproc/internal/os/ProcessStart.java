package io.github.multiproc.internal.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

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

    /**
     * Returns the start of {@code handle}'s process.
     *
     * @param handle the process
     * @return its start, or 0 where the platform cannot tell (or the process is gone)
     */
    public static long of(ProcessHandle handle) {
        if (PROC_STAT) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
                // the fields after the command (which may hold spaces and parentheses); field 22 is the start time
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[19]);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
