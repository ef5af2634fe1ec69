package io.github.multiproc.internal.spawn;

import io.github.multiproc.internal.channel.ChannelListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A pool worker's process and how its channel comes: accepted on a listener of its own (a worker JVM started for
 * the pool), or handed over by a standby child that the pool took as its worker ({@link Children#takeWorker}).
 *
 * <p>Thread safety: {@link #accept()} on the worker's reader thread; {@link #close()} from any thread.
 */
public final class WorkerLine {
    private final ChildHandle<Void> process;
    private final ChannelListener listener;
    private final CompletableFuture<ChannelListener.Connection> handedOver;
    private volatile ChannelListener.Connection connection;

    private WorkerLine(ChildHandle<Void> process, ChannelListener listener,
            CompletableFuture<ChannelListener.Connection> handedOver) {
        this.process = process;
        this.listener = listener;
        this.handedOver = handedOver;
    }

    /** A worker JVM started for its pool, which connects to {@code listener}. */
    public static WorkerLine started(ChildHandle<Void> process, ChannelListener listener) {
        return new WorkerLine(process, listener, null);
    }

    /** A standby child taken as a worker: its connection comes from its standby channel. */
    static WorkerLine handedOver(ChildHandle<Void> process, CompletableFuture<ChannelListener.Connection> handedOver) {
        return new WorkerLine(process, null, handedOver);
    }

    /** The worker's process. */
    public ChildHandle<Void> process() {
        return process;
    }

    /** Whether the worker was a standby child, started before the pool asked for it. */
    public boolean wasStandby() {
        return handedOver != null;
    }

    /**
     * Waits until the worker has connected and proved itself.
     *
     * @return its connection
     * @throws IOException if it cannot connect any more: it exited, or {@link #close()} was called
     */
    public ChannelListener.Connection accept() throws IOException {
        ChannelListener.Connection c;
        if (listener != null) {
            c = listener.accept();
        } else {
            try {
                c = handedOver.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the worker connected");
            }
        }
        connection = c;
        return c;
    }

    /** Whether the worker has connected and proved itself. */
    public boolean connected() {
        return connection != null;
    }

    /** The worker exited: if it never connected, it never will; a thread in {@link #accept()} returns. */
    public void processExited() {
        if (connection == null) {
            close();
        }
    }

    /**
     * Shuts this end's output after the exit word: the worker reads the end of the channel and need not close its own
     * end under its reader (on JDK 25 that close costs the worker 5-15 ms). Its answers can still be read.
     */
    public void shutdownOutput() {
        ChannelListener.Connection c = connection;
        if (c != null) {
            try {
                c.socket().shutdownOutput();
            } catch (java.io.IOException e) {
                // closed already, or the worker is gone: nothing to tell
            }
        }
    }

    /** Closes the listener and the connection; a thread in {@link #accept()} returns. Idempotent. */
    public void close() {
        if (listener != null) {
            listener.close();
        } else {
            handedOver.completeExceptionally(new IOException("closed"));
            handedOver.thenAccept(ChannelListener.Connection::close); // already handed over: closed all the same
        }
        ChannelListener.Connection c = connection;
        if (c != null) {
            c.close();
        }
    }
}
