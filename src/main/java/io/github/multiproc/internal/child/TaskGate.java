package io.github.multiproc.internal.child;

import io.github.multiproc.internal.channel.ChannelProtocol;
import java.util.HashSet;
import java.util.Set;

/**
 * What a pool worker's two threads agree on about cancels, under one lock: the tasks received and not started, the
 * one running, and those to skip. A cancel ({@code Frame.CANCEL}) for a task not started yet makes the worker skip it
 * when its turn comes; one for the task running ends this JVM at once ({@link ChannelProtocol#EXIT_CANCELLED}). The
 * main thread starts a task only through {@link #start}, so a cancelled task never starts: there is no moment in
 * which both threads think they decide.
 *
 * <p>Thread safety: all methods synchronize on this gate.
 */
final class TaskGate {
    private static final long NONE = Long.MIN_VALUE;

    /** Received from the parent, not started yet. */
    private final Set<Long> pending = new HashSet<>();
    /**
     * To be skipped: cancelled before they started, or before they arrived (the parent's cancel and the task's own
     * frame are written by two threads and may come in either order).
     */
    private final Set<Long> skip = new HashSet<>();
    private long running = NONE;

    /** The reader thread has received task {@code id}. */
    synchronized void received(long id) {
        if (!skip.contains(id)) {
            pending.add(id);
        }
    }

    /** The main thread's turn for task {@code id}: whether to run it (false: skip it, it was cancelled). */
    synchronized boolean start(long id) {
        pending.remove(id);
        if (skip.remove(id)) {
            return false;
        }
        running = id;
        return true;
    }

    /** The main thread has answered the running task. */
    synchronized void finished() {
        running = NONE;
    }

    /**
     * The reader thread has received a cancel for task {@code id}: the task will not run (it is skipped, or had
     * finished) unless it runs now, and then this JVM ends here.
     */
    synchronized void cancel(long id) {
        if (running == id) {
            // the task is what this JVM does now: it ends, and the pool replaces it
            Runtime.getRuntime().halt(ChannelProtocol.EXIT_CANCELLED);
        }
        pending.remove(id);
        skip.add(id);
    }
}
