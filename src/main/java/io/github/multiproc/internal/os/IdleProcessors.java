package io.github.multiproc.internal.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A reading of how long this machine's processors have been idle, from Linux's {@code /proc/stat}: two readings
 * tell how many processors were idle on average between them. Where there is no {@code /proc/stat} (macOS, Windows)
 * there is no reading.
 *
 * <p>Thread safety: immutable.
 */
public final class IdleProcessors {
    private static final Path STAT = Path.of("/proc/stat");

    /** Clock ticks of all processors, of all kinds. */
    private final long total;
    /** Clock ticks of all processors spent idle or waiting for input or output. */
    private final long idle;
    /** The processors counted. */
    private final int processors;

    private IdleProcessors(long total, long idle, int processors) {
        this.total = total;
        this.idle = idle;
        this.processors = processors;
    }

    /**
     * Reads the counters now.
     *
     * @return the reading, or null where they cannot be read
     */
    public static IdleProcessors now() {
        try {
            return parse(Files.readString(STAT));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Parses the text of {@code /proc/stat}: its {@code cpu} line (user, nice, system, idle, iowait, irq, softirq,
     * steal, in clock ticks) and one {@code cpuN} line per processor.
     *
     * @param text the file's text
     * @return the reading, or null if the text has no {@code cpu} line
     */
    static IdleProcessors parse(String text) {
        long total = -1;
        long idle = 0;
        int processors = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                total = 0;
                for (int i = 1; i < Math.min(f.length, 9); i++) {
                    total += Long.parseLong(f[i]);
                }
                idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            } else if (line.startsWith("cpu")) {
                processors++;
            }
        }
        return total < 0 ? null : new IdleProcessors(total, idle, Math.max(1, processors));
    }

    /**
     * How many processors were idle on average from {@code earlier} to this reading: from 0 (all busy) to the
     * machine's count.
     *
     * @param earlier the earlier reading
     * @return the idle processors, or -1 if no clock tick passed in between
     */
    public double since(IdleProcessors earlier) {
        long ticks = total - earlier.total;
        if (ticks <= 0) {
            return -1;
        }
        return (double) (idle - earlier.idle) / ticks * processors;
    }
}
