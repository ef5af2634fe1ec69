package io.github.multiproc.internal.spawn;

import io.github.multiproc.ChildCrashedException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a child's output stream on a thread of its own, so that a child never blocks on a full pipe: line by line
 * to a user's sink, or byte for byte to this JVM's own stream, keeping the last lines for error messages.
 */
final class OutputPump {
    private static final Logger LOG = LoggerFactory.getLogger(OutputPump.class);

    private OutputPump() {
    }

    /** The platform's native encoding: what a child writes to a terminal. */
    static Charset nativeCharset() {
        String name = System.getProperty("native.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * Starts a thread that hands each line of {@code in} to {@code sink}, holding {@code lock} during each call.
     *
     * @return completes when {@code in} is exhausted
     */
    static CompletableFuture<Void> lines(InputStream in, Charset charset, Consumer<String> sink, Object lock,
            Tail tail, String threadName) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        start(threadName, () -> {
            boolean sinkBroken = false;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, charset), 8192)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (tail != null) {
                        tail.add(line);
                    }
                    if (!sinkBroken) {
                        try {
                            synchronized (lock) {
                                sink.accept(line);
                            }
                        } catch (RuntimeException | Error e) {
                            // keep draining, or the child would block on a full pipe
                            sinkBroken = true;
                            LOG.warn("{}: the onOutputLine sink threw; its further lines are dropped", threadName, e);
                        }
                    }
                }
            } catch (IOException e) {
                LOG.debug("{}: {}", threadName, e.toString());
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    /**
     * Starts a thread that copies {@code in} to {@code out} byte for byte, and the last lines to {@code tail}, taking
     * every {@code marker} out of the stream; each time it meets one, it tells {@code marks} how many it has met in
     * all, once what came before it has been written to {@code out}.
     *
     * @param marker what the child writes to its stderr before each answer (see
     *     {@link io.github.multiproc.internal.channel.ChannelProtocol#newStderrMarker}); empty for none
     * @return completes when {@code in} is exhausted
     */
    static CompletableFuture<Void> forward(InputStream in, OutputStream out, Charset charset, Tail tail,
            byte[] marker, LongConsumer marks, String threadName) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        start(threadName, () -> {
            Copy copy = new Copy(out, charset, tail, threadName);
            byte[] buffer = new byte[8192];
            int matched = 0; // how many bytes of the marker the stream has just shown, held back until it is sure
            long met = 0;
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (marker.length == 0) {
                        copy.write(buffer, 0, n);
                        continue;
                    }
                    int from = 0;
                    for (int i = 0; i < n; i++) {
                        byte b = buffer[i];
                        if (b == marker[matched]) {
                            if (matched == 0) {
                                copy.write(buffer, from, i - from);
                            }
                            matched++;
                            from = i + 1;
                            if (matched == marker.length) {
                                matched = 0;
                                copy.flush();
                                marks.accept(++met);
                            }
                        } else if (matched > 0) {
                            // not the marker: what was held back is output (the marker's first byte occurs nowhere
                            // else in it, so none of it can begin a marker), and this byte may begin one
                            copy.write(marker, 0, matched);
                            matched = b == marker[0] ? 1 : 0;
                            from = matched == 1 ? i + 1 : i;
                        }
                    }
                    if (matched == 0) {
                        copy.write(buffer, from, n - from);
                    }
                    copy.flush();
                }
            } catch (IOException e) {
                LOG.debug("{}: {}", threadName, e.toString());
            } finally {
                copy.write(marker, 0, matched);
                copy.flush();
                copy.end();
                done.complete(null);
            }
        });
        return done;
    }

    /** Where forwarded bytes go: this JVM's stream and the tail of lines. */
    private static final class Copy {
        private final OutputStream out;
        private final Charset charset;
        private final Tail tail;
        private final String threadName;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private boolean broken;

        Copy(OutputStream out, Charset charset, Tail tail, String threadName) {
            this.out = out;
            this.charset = charset;
            this.tail = tail;
            this.threadName = threadName;
        }

        void write(byte[] bytes, int off, int len) {
            if (len <= 0) {
                return;
            }
            try {
                out.write(bytes, off, len);
            } catch (IOException e) {
                broken(e);
            }
            for (int i = off; i < off + len; i++) {
                byte b = bytes[i];
                if (b == '\n') {
                    tail.add(decode(line, charset));
                    line.reset();
                } else if (line.size() < Tail.MAX_LINE_BYTES) {
                    line.write(b);
                }
            }
        }

        void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                broken(e);
            }
        }

        void end() {
            if (line.size() > 0) {
                tail.add(decode(line, charset));
            }
        }

        private void broken(IOException e) {
            if (!broken) {
                broken = true;
                LOG.debug("{}: cannot forward: {}", threadName, e.toString());
            }
        }
    }

    private static String decode(ByteArrayOutputStream line, Charset charset) {
        String s = line.toString(charset);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static void start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /**
     * The last lines of a stream, for {@link ChildCrashedException#stderrTail()}.
     *
     * <p>Thread safety: safe for one writer and any number of readers.
     */
    static final class Tail {
        static final int MAX_LINES = 40;
        static final int MAX_LINE_BYTES = 2000;
        private final ArrayDeque<String> lines = new ArrayDeque<>();

        synchronized void add(String line) {
            if (lines.size() == MAX_LINES) {
                lines.removeFirst();
            }
            lines.addLast(line.length() > MAX_LINE_BYTES ? line.substring(0, MAX_LINE_BYTES) + "..." : line);
        }

        synchronized List<String> snapshot() {
            return List.copyOf(lines);
        }
    }
}
