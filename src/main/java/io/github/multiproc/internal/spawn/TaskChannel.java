package io.github.multiproc.internal.spawn;

import io.github.multiproc.internal.channel.ChannelListener;
import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.FrameIO;
import io.github.multiproc.internal.wire.PayloadException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's end of a one-shot task child's channel: the thread {@code multiproc-<name>} accepts the child on its
 * {@link ChannelListener}, sends the task, reads the answer and closes the channel (or sees the child's end close it
 * first, if the child dies before it answers).
 *
 * <p>Thread safety: {@link #processExited()} and {@link #close()} may be called from any thread.
 */
public final class TaskChannel {
    private static final Logger LOG = LoggerFactory.getLogger(TaskChannel.class);

    /**
     * What the child sent.
     *
     * @param kind one of the constants
     * @param value the task's value, for {@link #VALUE}
     * @param error the exception, for the other kinds
     */
    public record Outcome(int kind, Object value, Throwable error) {
        static final int NONE = 0;
        public static final int VALUE = 1;
        public static final int FAILED = 2;
        public static final int UNREADABLE = 3;
        public static final int UNSENDABLE = 4;
        public static final int GARBLED = 5;
        public static final int SKIPPED = 6;
        static final Outcome EMPTY = new Outcome(NONE, null, null);

        /** Reads a child's answer frame. */
        public static Outcome of(Frame frame, Object decoded) {
            switch (frame.type()) {
                case Frame.RESULT:
                    return new Outcome(VALUE, decoded, null);
                case Frame.FAILED:
                    return new Outcome(FAILED, null, asThrowable(decoded));
                case Frame.TASK_UNREADABLE:
                    return new Outcome(UNREADABLE, null, asThrowable(decoded));
                case Frame.RESULT_UNSENDABLE:
                    return new Outcome(UNSENDABLE, null, asThrowable(decoded));
                case Frame.SKIPPED:
                    return new Outcome(SKIPPED, null, null);
                default:
                    return new Outcome(GARBLED, null, new IllegalStateException("unexpected message "
                            + frame.kind() + " from the child"));
            }
        }

        private static Throwable asThrowable(Object decoded) {
            return decoded instanceof Throwable ? (Throwable) decoded
                    : new IllegalStateException("the child sent " + decoded + " as an exception");
        }
    }

    /**
     * The child, its task, and whether it halts when this JVM is gone; or, for a standby child taken as a pool
     * worker, where its connection goes ({@code handOver}, the other fields null).
     */
    private record Assignment(ChildHandle<?> child, byte[] payload, boolean haltOnParentLoss,
            CompletableFuture<ChannelListener.Connection> handOver) {
    }

    private final ChannelListener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completes once the task has been handed to the child, or the channel has ended without that. */
    private final CompletableFuture<Void> delivered = new CompletableFuture<>();
    /** What to send: known at once for a child started for its task, later for a standby child. */
    private final CompletableFuture<Assignment> assignment = new CompletableFuture<>();
    private volatile ChannelListener.Connection connection;

    TaskChannel(ChannelListener listener) {
        this.listener = listener;
    }

    /** Starts the channel's thread: accept, authenticate, send {@code payload}, read the outcome. */
    void start(ChildHandle<?> child, byte[] payload, boolean haltOnParentLoss) {
        assignment.complete(new Assignment(child, payload, haltOnParentLoss, null));
        startThread("multiproc-" + child.name());
    }

    /**
     * Starts the thread of a standby child's channel: it accepts the child at once, then waits for
     * {@link #assign}. Closing the channel before that ends the thread without a word to anyone.
     */
    void startStandby() {
        startThread("multiproc-standby-channel");
    }

    /** Gives a standby child its task; its channel's thread sends it at once. */
    void assign(ChildHandle<?> child, byte[] payload, boolean haltOnParentLoss) {
        if (!assignment.complete(new Assignment(child, payload, haltOnParentLoss, null))) {
            throw new IllegalStateException("channel already assigned or closed");
        }
    }

    /**
     * Gives a standby child's connection away, to a pool that takes the child as a worker: the returned future
     * completes with it once the child has connected and proved itself (at once if it has), and fails if the channel
     * ends before. The connection is then the new owner's to use and close; this channel's thread ends.
     *
     * @throws IllegalStateException if the channel was assigned or closed before
     */
    CompletableFuture<ChannelListener.Connection> handOver() {
        CompletableFuture<ChannelListener.Connection> to = new CompletableFuture<>();
        if (!assignment.complete(new Assignment(null, null, false, to))) {
            throw new IllegalStateException("channel already assigned or closed");
        }
        return to;
    }

    /** Whether the child has connected and proved itself. */
    boolean connected() {
        return connection != null;
    }

    private void startThread(String name) {
        Thread t = new Thread(() -> {
            Outcome outcome = Outcome.EMPTY;
            Assignment a = null;
            boolean handedOver = false;
            try {
                ChannelListener.Connection c = listener.accept();
                connection = c;
                if (closed.get()) {
                    c.close();
                }
                a = await(assignment);
                if (a.handOver() != null) {
                    // the connection is the pool's now; only the listener, whose work is done, is closed here
                    handedOver = a.handOver().complete(c);
                    return;
                }
                String named = "multiproc-" + a.child().name();
                if (!named.equals(name)) {
                    Thread.currentThread().setName(named); // a standby child's channel, now assigned
                }
                outcome = serve(c, a);
            } catch (IOException e) {
                LOG.debug("{}: channel ended: {}", Thread.currentThread().getName(), e.toString());
            } catch (RuntimeException | Error e) {
                LOG.error("{}: channel failed", Thread.currentThread().getName(), e);
            } finally {
                delivered.complete(null);
                a = assignment.isCompletedExceptionally() ? null : assignment.getNow(null);
                if (handedOver) {
                    listener.close();
                } else {
                    close();
                    if (a != null && a.handOver() != null) {
                        a.handOver().completeExceptionally(new IOException("the standby child's channel ended "
                                + "before it connected"));
                    } else if (a != null) {
                        a.child().channelDone(outcome);
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static Assignment await(CompletableFuture<Assignment> assignment) throws IOException {
        try {
            return assignment.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("closed before it was given a task", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a task");
        }
    }

    private Outcome serve(ChannelListener.Connection c, Assignment a) throws IOException {
        // settings and task in one write: the child wakes once
        ChannelProtocol.sendSettings(c.out(), ChannelProtocol.MODE_ONE_SHOT, a.haltOnParentLoss(), a.child().name(),
                a.child().stderrMarker(), false);
        FrameIO io = new FrameIO(c.in(), c.out());
        io.writeStandalone(Frame.TASK, 1, a.payload());
        delivered.complete(null);
        long stderrMarks = 0;
        Frame frame;
        while ((frame = io.read()) != null && frame.type() == Frame.STDERR_MARK) {
            stderrMarks = frame.id();
        }
        if (frame == null) {
            return Outcome.EMPTY; // the child's end closed before it answered
        }
        Outcome outcome;
        try {
            outcome = frame.type() == Frame.RESULT_PLAIN
                    ? new Outcome(Outcome.VALUE, FrameIO.plainValue(frame), null)
                    : Outcome.of(frame, io.decode(frame));
        } catch (PayloadException e) {
            outcome = new Outcome(Outcome.GARBLED, null, e.getCause());
        }
        a.child().answerArrived(outcome, stderrMarks);
        // Nothing comes after the answer: the caller closes this end now, and the child, whose watch then reads the
        // end of the channel, need not close its own (see TaskLoop#serve)
        return outcome;
    }

    /** Completes once the task has been handed to the child, or the channel has ended without that. */
    CompletableFuture<Void> delivered() {
        return delivered;
    }

    /** The process has exited: if it never connected, nothing will. */
    void processExited() {
        if (connection == null) {
            listener.close();
        }
    }

    /** Releases the socket and files; unblocks the channel thread. Idempotent. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            listener.close();
            assignment.completeExceptionally(new IOException("channel closed"));
            ChannelListener.Connection c = connection;
            if (c != null) {
                c.close();
            }
        }
    }
}
