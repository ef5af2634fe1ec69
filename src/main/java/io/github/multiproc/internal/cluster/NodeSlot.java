package io.github.multiproc.internal.cluster;

import com.hazelcast.cluster.Member;
import java.util.LinkedHashSet;
import java.util.Set;

/** A node as a driver sees it: its member, its worker slots, and what it was dealt. Guarded by the scheduler's lock. */
final class NodeSlot {
    final Member member;
    final String address;
    final int workers;
    /** Tasks dealt to it and not yet answered. */
    int inFlight;
    /** False once it said it is leaving. */
    boolean accepting = true;
    /**
     * Until when ({@link System#nanoTime()}) it is dealt nothing: a call to it failed, and until Hazelcast says
     * whether it left, what it held is better dealt elsewhere; 0 for not paused.
     */
    long pausedUntil;
    /** How long a node whose call failed is passed over. */
    static final long PAUSE_NANOS = 10_000_000_000L;
    final Set<Batch> batches = new LinkedHashSet<>();

    NodeSlot(Member member, int workers) {
        this.member = member;
        this.address = NodeRuntime.addressOf(member.getAddress());
        this.workers = workers;
    }

    /**
     * How long a task takes on one of its workers, as the node saw it (a batch's time there, times its workers, over
     * its tasks): the round trip to the node is what sending ahead hides; negative until a batch has come back.
     */
    private long taskNanos = -1;

    /**
     * Tasks per worker it may hold while its tasks are short: enough to hide a round trip to the node and the handling
     * of a batch there (a local pool sends a worker 16, its round trip being far shorter). Measured on a 3-node
     * loopback cluster, one worker each, trivial tasks, pools alternating round by round: 21,000 tasks/s with 64,
     * 44,000 with 256, 46,000 with 1,024. A window sized by the node's measure of a task's time did no better than 64:
     * a batch's time on the node includes its wait behind the batch sent before it, so the measure grows with the
     * window.
     */
    static final int AHEAD_SHORT = 256;
    /** Below this a task is short: the round trip, not the task, would keep its worker waiting. */
    static final long SHORT_NANOS = 2_000_000;

    /**
     * How many tasks it may hold: twice its workers (each busy, and one task waiting for each), or, while its tasks
     * are short, {@link #AHEAD_SHORT} per worker, so that round trips do not leave workers idle.
     */
    int limit() {
        if (!accepting) {
            return 0;
        }
        return workers * (taskNanos >= 0 && taskNanos < SHORT_NANOS ? AHEAD_SHORT : 2);
    }

    /** Whether it takes work at all: it accepts tasks and is not paused. */
    boolean takesWork() {
        return accepting && (pausedUntil == 0 || pausedUntil - System.nanoTime() <= 0);
    }

    /** How many more tasks it may be dealt now. */
    int room() {
        return takesWork() ? limit() - inFlight : 0;
    }

    /** A batch of {@code tasks} took {@code nanos} on the node. */
    void observed(long nanos, int tasks) {
        if (tasks > 0) {
            long perTask = nanos * Math.min(workers, tasks) / tasks;
            taskNanos = taskNanos < 0 ? perTask : (3 * taskNanos + perTask) / 4;
        }
    }
}
