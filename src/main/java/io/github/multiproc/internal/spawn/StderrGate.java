package io.github.multiproc.internal.spawn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When a one-shot child's answer, which may come before its exit, can be handed out: once the stderr pump has met the
 * marker the child wrote to its stderr just before it answered, so that everything the child wrote there before has
 * been forwarded (see {@code StderrMark} on the child's side).
 *
 * <p>Thread safety: safe for concurrent use by the channel thread and the pump.
 */
final class StderrGate {
    private static final byte[] NONE = new byte[0];

    private final byte[] marker;
    private final AtomicLong met = new AtomicLong();
    /** How many markers the child had written when it answered; -1 until its answer came. */
    private volatile long needed = -1;

    private StderrGate(byte[] marker) {
        this.marker = marker;
    }

    /** For a child whose stderr a pump forwards: with a new marker. */
    static StderrGate pumped(byte[] marker) {
        return new StderrGate(marker);
    }

    /** For a child whose stderr nobody here reads: its answer can be handed out as it comes. */
    static StderrGate none() {
        return new StderrGate(NONE);
    }

    /** What the child is to write before it answers; empty for nothing. */
    byte[] marker() {
        return marker.clone();
    }

    /** The answer came, after the child had written {@code marks} markers: returns whether it can be handed out. */
    boolean answered(long marks) {
        needed = marks;
        return open();
    }

    /** The pump has met {@code total} markers in all: returns whether an answer that came can be handed out. */
    boolean met(long total) {
        met.accumulateAndGet(total, Math::max);
        return open();
    }

    private boolean open() {
        long n = needed;
        return n >= 0 && (marker.length == 0 || met.get() >= n);
    }
}
