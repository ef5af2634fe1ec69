package io.github.multiproc.bench.jmh;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A connection in memory for the codec benchmarks: what {@link #out()} is given, {@link #in()} hands back, with no
 * thread, lock or system call, so that a benchmark measures the encoding and decoding alone. Once the reader has
 * taken everything, {@link #drained()} starts the buffer over, so that a long run does not grow it.
 */
final class MemoryLink {
    private byte[] buf = new byte[4096];
    private int count;
    private int pos;

    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }
    };

    private final InputStream in = new InputStream() {
        @Override
        public int read() {
            return pos < count ? buf[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int n = Math.min(len, count - pos);
            if (n <= 0) {
                return -1;
            }
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return count - pos;
        }
    };

    OutputStream out() {
        return out;
    }

    InputStream in() {
        return in;
    }

    /** How many bytes were written and not read yet. */
    int pending() {
        return count - pos;
    }

    /**
     * Starts the buffer over once the reader has taken everything that was written.
     *
     * @throws IllegalStateException if bytes are left unread: a benchmark that does not read what it wrote
     */
    void drained() {
        if (pos != count) {
            throw new IllegalStateException((count - pos) + " bytes left unread");
        }
        pos = 0;
        count = 0;
    }

    private void ensure(int more) {
        if (count + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        }
    }
}
