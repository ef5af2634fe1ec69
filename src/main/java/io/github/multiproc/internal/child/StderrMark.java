package io.github.multiproc.internal.child;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;

/**
 * Marks the point in a one-shot child's stderr where its answer was sent. The child writes the marker its parent gave
 * it (in the settings) straight to file descriptor 2, after everything written there before: through
 * {@code System.err}, by the JVM itself, by native code. The parent's pump takes the marker out of the stream and,
 * having forwarded what came before it, lets the answer be handed out: the task's error output comes first, without
 * waiting for the JVM to exit.
 *
 * <p>Thread safety: {@link #mark} is synchronized.
 */
final class StderrMark {
    /** {@code System.err} as the JVM made it, which a task may have replaced but not flushed. */
    private static PrintStream original;
    /** File descriptor 2 itself; never closed. */
    private static FileOutputStream fd2;
    private static int written;

    private StderrMark() {
    }

    /** Remembers the JVM's own {@code System.err}: called first thing in the child's main. */
    static synchronized void install() {
        original = System.err;
    }

    /**
     * Flushes {@code System.err} and writes {@code marker} to file descriptor 2.
     *
     * @param marker the parent's marker; empty when nobody takes it out of the stream (nothing is written then)
     * @return how many markers this child has written so far, this one included; 0 if none was written
     */
    static synchronized int mark(byte[] marker) {
        System.err.flush();
        if (original != null && original != System.err) {
            original.flush();
        }
        if (marker.length == 0) {
            return 0;
        }
        try {
            if (fd2 == null) {
                fd2 = new FileOutputStream(FileDescriptor.err);
            }
            fd2.write(marker);
            return ++written;
        } catch (IOException e) {
            return 0; // stderr is closed: nothing to wait for
        }
    }
}
