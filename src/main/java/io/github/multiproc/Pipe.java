package io.github.multiproc;

import io.github.multiproc.internal.ipc.SharedPipe;
import io.github.multiproc.internal.runtime.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Two connected ends that send messages both ways between processes, Python's {@code multiprocessing.Pipe()}.
 *
 * <pre>{@code
 * Pipe<Integer> pipe = Pipe.create();
 * Connection<Integer> child = pipe.second();
 * Fork.run(() -> child.send(child.receive() + 1));
 * pipe.first().send(41);
 * int answer = pipe.first().receive();   // 42
 * }</pre>
 *
 * <p>Messages are serialized into shared memory (integers, longs and strings by hand, others by Java
 * serialization); each direction holds at most {@value io.github.multiproc.internal.ipc.SharedPipe#RING_BYTES}
 * bytes of them at once, and {@code send} waits while it is full. The pipe is freed when both ends are closed or
 * its creator exits; after a SIGKILL, by {@link Fork#reapOrphans()}.
 *
 * <p>Thread safety: safe for concurrent use.
 *
 * @param <T> the type of the messages
 */
public final class Pipe<T> {
    private final Connection<T> first;
    private final Connection<T> second;

    private Pipe(SharedPipe pipe) {
        this.first = new End<>(pipe, 0);
        this.second = new End<>(pipe, 1);
    }

    /**
     * Makes a pipe.
     *
     * @param <T> the type of the messages
     * @return the pipe, owned by this JVM
     * @throws IllegalStateException if its shared memory cannot be made
     */
    public static <T> Pipe<T> create() {
        return new Pipe<>(new SharedPipe(Settings.stateDir()));
    }

    /**
     * Returns the first end.
     *
     * @return what {@link #second()} sends, it receives, and the other way round
     */
    public Connection<T> first() {
        return first;
    }

    /**
     * Returns the second end.
     *
     * @return what {@link #first()} sends, it receives, and the other way round
     */
    public Connection<T> second() {
        return second;
    }

    /** An end: the pipe and which of its two ends, and whether this JVM used or closed it. */
    private static final class End<T> implements Connection<T> {
        private static final long serialVersionUID = 1L;

        private final SharedPipe pipe;
        private final int end;
        private transient volatile boolean used;
        private transient volatile boolean closed;

        End(SharedPipe pipe, int end) {
            this.pipe = pipe;
            this.end = end;
        }

        private void use() {
            if (closed) {
                throw new IllegalStateException("this end of the pipe was closed in this JVM");
            }
            used = true;
        }

        @Override
        public void send(T message) {
            Objects.requireNonNull(message, "message");
            use();
            pipe.send(end, message);
        }

        @Override
        @SuppressWarnings("unchecked")
        public T receive() throws InterruptedException {
            use();
            return (T) pipe.receive(end, null).orElseThrow();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Optional<T> receive(Duration timeout) throws InterruptedException {
            Objects.requireNonNull(timeout, "timeout");
            use();
            return pipe.receive(end, timeout).map(message -> (T) message);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                pipe.close(end, used);
            }
        }

        @Override
        public String toString() {
            return (end == 0 ? "first" : "second") + " end of " + pipe;
        }
    }
}
