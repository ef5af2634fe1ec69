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
     * Starts a thread that copies {@code in} to {@code out} byte for byte, and the last lines to {@code tail}; after
     * each write, tells {@code forwarded} how many bytes it has copied in all.
     *
     * @return completes when {@code in} is exhausted
     */
    static CompletableFuture<Void> forward(InputStream in, OutputStream out, Charset charset, Tail tail,
            LongConsumer forwarded, String threadName) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        start(threadName, () -> {
            byte[] buffer = new byte[8192];
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            long total = 0;
            try (in) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    try {
                        out.write(buffer, 0, n);
                        out.flush();
                    } catch (IOException e) {
                        LOG.debug("{}: cannot forward: {}", threadName, e.toString());
                    }
                    total += n;
                    forwarded.accept(total);
                    for (int i = 0; i < n; i++) {
                        byte b = buffer[i];
                        if (b == '\n') {
                            tail.add(decode(line, charset));
                            line.reset();
                        } else if (line.size() < Tail.MAX_LINE_BYTES) {
                            line.write(b);
                        }
                    }
                }
            } catch (IOException e) {
                LOG.debug("{}: {}", threadName, e.toString());
            } finally {
                if (line.size() > 0) {
                    tail.add(decode(line, charset));
                }
                done.complete(null);
            }
        });
        return done;
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
