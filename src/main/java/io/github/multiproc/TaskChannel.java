package io.github.multiproc;

import io.github.multiproc.internal.ChannelProtocol;
import io.github.multiproc.internal.Frame;
import io.github.multiproc.internal.FrameIO;
import io.github.multiproc.internal.PayloadException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parent's end of a one-shot task child's channel: the thread {@code multiproc-<name>} accepts the child on its
 * {@link ChannelListener}, sends the task and reads the outcome until the child's end closes the channel.
 *
 * <p>Thread safety: {@link #processExited()} and {@link #close()} may be called from any thread.
 */
final class TaskChannel {
    private static final Logger LOG = LoggerFactory.getLogger(TaskChannel.class);

    /**
     * What the child sent.
     *
     * @param kind one of the constants
     * @param value the task's value, for {@link #VALUE}
     * @param error the exception, for the other kinds
     */
    record Outcome(int kind, Object value, Throwable error) {
        static final int NONE = 0;
        static final int VALUE = 1;
        static final int FAILED = 2;
        static final int UNREADABLE = 3;
        static final int UNSENDABLE = 4;
        static final int GARBLED = 5;
        static final int SKIPPED = 6;
        static final Outcome EMPTY = new Outcome(NONE, null, null);

        /** Reads a child's answer frame. */
        static Outcome of(Frame frame, Object decoded) {
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

    private final ChannelListener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completes once the task has been handed to the child, or the channel has ended without that. */
    private final CompletableFuture<Void> delivered = new CompletableFuture<>();
    private volatile ChannelListener.Connection connection;

    TaskChannel(ChannelListener listener) {
        this.listener = listener;
    }

    /** Starts the channel's thread: accept, authenticate, send {@code payload}, read the outcome. */
    void start(ChildHandle<?> child, byte[] payload, boolean haltOnParentLoss) {
        Thread t = new Thread(() -> {
            Outcome outcome = Outcome.EMPTY;
            try {
                outcome = serve(payload, haltOnParentLoss);
            } catch (IOException e) {
                LOG.debug("{}: channel ended: {}", child.name(), e.toString());
            } catch (RuntimeException | Error e) {
                LOG.error("{}: channel failed", child.name(), e);
            } finally {
                delivered.complete(null);
                close();
                child.channelDone(outcome);
            }
        }, "multiproc-" + child.name());
        t.setDaemon(true);
        t.start();
    }

    private Outcome serve(byte[] payload, boolean haltOnParentLoss) throws IOException {
        ChannelListener.Connection c = listener.accept();
        connection = c;
        if (closed.get()) {
            c.close();
        }
        ChannelProtocol.sendSettings(c.out(), ChannelProtocol.MODE_ONE_SHOT, haltOnParentLoss);
        FrameIO io = new FrameIO(c.in(), c.out());
        io.writeStandalone(Frame.TASK, 1, payload);
        delivered.complete(null);
        Outcome outcome = Outcome.EMPTY;
        Frame frame;
        while ((frame = io.read()) != null) {
            try {
                outcome = Outcome.of(frame, io.decode(frame));
            } catch (PayloadException e) {
                outcome = new Outcome(Outcome.GARBLED, null, e.getCause());
            }
        }
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
            ChannelListener.Connection c = connection;
            if (c != null) {
                c.close();
            }
        }
    }
}
