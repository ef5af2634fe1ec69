package io.github.multiproc.internal.child;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes a child writes to its stderr through {@code System.err}. A one-shot child sends the count just
 * before its answer, and the parent hands out the answer once it has forwarded that many bytes: the task's own
 * error output comes first, without waiting for the JVM to exit.
 */
final class StderrCount {
    private static final AtomicLong BYTES = new AtomicLong();

    private StderrCount() {
    }

    /** Puts the counter under {@code System.err}, with the charset the JVM gave it. */
    static void install() {
        String encoding = System.getProperty("stderr.encoding", System.getProperty("sun.stderr.encoding"));
        Charset charset = Charset.defaultCharset();
        try {
            if (encoding != null) {
                charset = Charset.forName(encoding);
            }
        } catch (IllegalArgumentException e) {
            // as the JVM does with an unknown encoding: the default
        }
        FilterOutputStream counting = new FilterOutputStream(new FileOutputStream(FileDescriptor.err)) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                BYTES.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                BYTES.addAndGet(len);
            }
        };
        System.setErr(new PrintStream(new BufferedOutputStream(counting, 128), true, charset));
    }

    /** Flushes {@code System.err} and returns how many bytes have reached the stderr file descriptor. */
    static long flushAndCount() {
        System.err.flush();
        return BYTES.get();
    }
}
