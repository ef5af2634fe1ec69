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
    final Set<Batch> batches = new LinkedHashSet<>();

    NodeSlot(Member member, int workers) {
        this.member = member;
        this.address = NodeRuntime.addressOf(member.getAddress());
        this.workers = workers;
    }

    /** How many more tasks it may be dealt: its free slots and as many sent ahead. */
    int room() {
        return accepting ? 2 * workers - inFlight : 0;
    }
}
