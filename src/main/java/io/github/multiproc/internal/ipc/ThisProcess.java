package io.github.multiproc.internal.ipc;

import io.github.multiproc.internal.os.ProcessStart;
import java.io.IOException;
import java.util.Optional;

/**
 * This process as a lock word sees it: its pid in the high 32 bits, the low 32 bits of its start (see
 * {@link ProcessStart}) in the low ones, so that a word left by a process that died is told from one of a later
 * process with the same pid.
 */
final class ThisProcess {
    private static final long LOW = 0xFFFF_FFFFL;
    static final long PID = ProcessHandle.current().pid();
    static final long START = start();
    /** This process's word: never 0. */
    static final long WORD = word(PID, START);

    private ThisProcess() {
    }

    private static long start() {
        try {
            return ProcessStart.ofCurrent();
        } catch (IOException e) {
            return ProcessStart.of(ProcessHandle.current());
        }
    }

    static long word(long pid, long start) {
        return (pid << 32) | (start & LOW);
    }

    static long pidOf(long word) {
        return word >>> 32;
    }

    /**
     * Returns whether the process a word names has ended (or its pid names another process now). A process that
     * cannot be looked at counts as running.
     *
     * @param word a non-zero word
     * @return whether it is gone
     */
    static boolean gone(long word) {
        long pid = pidOf(word);
        if (pid == PID) {
            return word != WORD;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !ProcessStart.running(handle.get())) {
            return true;
        }
        long start = ProcessStart.of(handle.get());
        return start != 0 && (start & LOW) != (word & LOW);
    }
}
