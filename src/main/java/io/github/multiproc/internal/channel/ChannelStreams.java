package io.github.multiproc.internal.channel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Stream views of a blocking socket channel that can be read and written at the same time.
 *
 * <p>{@link java.nio.channels.Channels#newInputStream} and {@code newOutputStream} share the channel's blocking lock
 * on JDK 17, so a thread blocked reading would stop another from writing. These call the channel's own
 * {@code read}/{@code write}, which lock each direction separately.
 */
public final class ChannelStreams {
    private ChannelStreams() {
    }

    /**
     * Returns an input stream reading from {@code channel}.
     *
     * @param channel a connected blocking channel
     * @return the stream; closing it closes the channel
     */
    public static InputStream in(SocketChannel channel) {
        return new InputStream() {
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n;
                do {
                    n = channel.read(ByteBuffer.wrap(b, off, len));
                } while (n == 0);
                return n;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /**
     * Returns an output stream writing to {@code channel}.
     *
     * @param channel a connected blocking channel
     * @return the stream; closing it closes the channel
     */
    public static OutputStream out(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
