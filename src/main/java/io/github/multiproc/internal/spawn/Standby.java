package io.github.multiproc.internal.spawn;

import io.github.multiproc.internal.channel.ChannelProtocol;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task child JVM started before it was needed: up, connected and authenticated, warming up while it waits for its
 * settings. Its channel thread and stderr pump run from the start, so that taking it costs the next fork no process,
 * no thread and no handshake: {@link Children} gives it a {@link ChildHandle} and its task, and starts another.
 *
 * <p>Thread safety: safe for concurrent use; what the stderr pump reports before the standby is taken is kept and
 * handed to its handle when it is.
 */
final class Standby {
    private static final int WAITING = 0;
    private static final int TAKEN = 1;
    private static final int DISCARDED = 2;

    final Process process;
    /** When the process started (see {@link io.github.multiproc.internal.os.ProcessStart}). */
    final long start;
    final TaskChannel channel;
    final OutputPump.Tail tail = new OutputPump.Tail();
    /** The command line without the channel arguments, and the transport: what a fork must match to take it. */
    final List<String> launchKey;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    /** What the task's child writes to its stderr before it answers, which the pump finds (see {@link ChildHandle}). */
    private final byte[] stderrMarker = ChannelProtocol.newStderrMarker();

    private ChildHandle<?> owner; // guarded by this
    private long marksMet; // guarded by this
    private boolean pumpEnded; // guarded by this

    Standby(Process process, long start, TaskChannel channel, List<String> launchKey) {
        this.process = process;
        this.start = start;
        this.channel = channel;
        this.launchKey = launchKey;
    }

    /** Claims the standby for a fork; false if it was discarded or has ended. */
    boolean take() {
        return state.compareAndSet(WAITING, TAKEN);
    }

    /** Ends a standby that will not be used; returns whether this call ended it. */
    boolean discard() {
        if (state.compareAndSet(WAITING, DISCARDED)) {
            channel.close();
            process.destroyForcibly();
            return true;
        }
        return false;
    }

    /** Its process has ended: returns whether it was never taken (then nobody else cleans up after it). */
    boolean exitedUntaken() {
        return state.getAndUpdate(s -> s == TAKEN ? TAKEN : DISCARDED) != TAKEN;
    }

    /** The taken standby's handle: from now on it hears from the stderr pump. */
    void adopt(ChildHandle<?> child) {
        long marks;
        boolean ended;
        synchronized (this) {
            owner = child;
            marks = marksMet;
            ended = pumpEnded;
        }
        if (marks > 0) {
            child.stderrMarksMet(marks);
        }
        if (ended) {
            child.partDone();
        }
    }

    /** What the pump looks for in the standby's stderr. */
    byte[] stderrMarker() {
        return stderrMarker.clone();
    }

    /** From the stderr pump: how many markers it has met in all, having forwarded what came before. */
    void marksMet(long total) {
        ChildHandle<?> child;
        synchronized (this) {
            marksMet = total;
            child = owner;
        }
        if (child != null) {
            child.stderrMarksMet(total);
        }
    }

    /** From the stderr pump: the stream has ended. */
    void pumpEnded() {
        ChildHandle<?> child;
        synchronized (this) {
            pumpEnded = true;
            child = owner;
        }
        if (child != null) {
            child.partDone();
        }
    }
}
