package io.github.multiproc.internal.os;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this machine has more threads ready to run than processors, from the fourth field of Linux's
 * {@code /proc/loadavg} ({@code runnable/total}, the reading thread included), read at most once every
 * {@value #EVERY_NANOS} ns in a JVM. A waiter that spins while threads wait for a processor takes the processor from
 * one of them, often from the very peer it waits for, or from the JIT compiler that would make that peer fast: such a
 * waiter should block at once. Where there is no {@code /proc/loadavg} (macOS, Windows), the machine never counts as
 * crowded.
 *
 * <p>Thread safety: safe for concurrent use; a reading is shared by all threads of the JVM.
 */
public final class RunQueue {
    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private static final boolean READABLE = Files.isReadable(LOADAVG);
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();
    private static final long EVERY_NANOS = 1_000_000;

    private static volatile long readAt = System.nanoTime() - 2 * EVERY_NANOS;
    private static volatile boolean crowded;

    private RunQueue() {
    }

    /**
     * Returns whether more threads were ready to run than there are processors at the last reading, reading again if
     * it is older than a millisecond.
     *
     * @return true if crowded; false if not, or where it cannot be read
     */
    public static boolean crowded() {
        if (!READABLE) {
            return false;
        }
        long now = System.nanoTime();
        if (now - readAt < EVERY_NANOS) {
            return crowded;
        }
        readAt = now;
        int runnable = read();
        crowded = runnable > PROCESSORS;
        return crowded;
    }

    /**
     * Returns whether at least {@code wanted} processors (all of them, on a machine with fewer) are free right now:
     * not running, nor wanted by, any thread but the caller. Reads {@code /proc/loadavg} afresh.
     *
     * @param wanted how many processors the caller's next work would keep busy
     * @return true if that many are free, or where it cannot be read
     */
    public static boolean free(int wanted) {
        if (!READABLE) {
            return true;
        }
        int runnable = read();
        return runnable < 0 || PROCESSORS - (runnable - 1) >= Math.min(wanted, PROCESSORS);
    }

    private static int read() {
        byte[] text = new byte[128];
        try (InputStream in = new FileInputStream(LOADAVG.toFile())) {
            return runnable(text, in.read(text));
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Parses the threads ready to run from the text of {@code /proc/loadavg}, such as {@code "0.52 0.31 0.20 3/412
     * 12345"}.
     *
     * @param text the bytes read
     * @param length how many were read
     * @return the count before the slash, or -1 if there is none
     */
    static int runnable(byte[] text, int length) {
        int slash = 0;
        while (slash < length && text[slash] != '/') {
            slash++;
        }
        int start = slash;
        while (start > 0 && text[start - 1] >= '0' && text[start - 1] <= '9') {
            start--;
        }
        if (slash >= length || start == slash) {
            return -1;
        }
        int count = 0;
        for (int i = start; i < slash; i++) {
            count = count * 10 + (text[i] - '0');
        }
        return count;
    }

    /** The number of processors compared with. */
    static int processors() {
        return PROCESSORS;
    }
}
