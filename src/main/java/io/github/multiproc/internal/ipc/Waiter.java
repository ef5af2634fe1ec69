package io.github.multiproc.internal.ipc;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * How a call waits for another process: it spins for {@value #SPIN_NANOS} ns (a peer that answers at once is seen
 * in a microsecond), then yields, then parks for {@value #MIN_PARK_NANOS} ns at a time until it has waited
 * {@value #SHORT_PARKS_UNTIL_NANOS} ns, then for growing times up to {@value #MAX_PARK_NANOS} ns, so that a waiter
 * costs little and still sees a change within a millisecond. The short parks are for a peer that answers late
 * once, as one still warming up or descheduled for a moment does: doubling the park at once would make every such
 * answer of a round trip wait up to a millisecond more. Every {@value #CHECK_NANOS} ns of waiting it is due for the
 * slow checks (is the holder, the peer, the creator alive?), which read {@code /proc}.
 *
 * <p>Thread safety: one per waiting call, confined to its thread.
 */
final class Waiter {
    private static final long SPIN_NANOS = 50_000;
    private static final long YIELD_NANOS = 200_000;
    private static final long MIN_PARK_NANOS = 20_000;
    private static final long SHORT_PARKS_UNTIL_NANOS = 5_000_000;
    private static final long MAX_PARK_NANOS = 1_000_000;
    private static final long CHECK_NANOS = 20_000_000;

    private final long start = System.nanoTime();
    private final long deadline;
    private final boolean interruptible;
    private long park = MIN_PARK_NANOS;
    private long nextCheck = start + CHECK_NANOS;
    private boolean interrupted;

    private Waiter(long timeoutNanos, boolean interruptible) {
        this.deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + timeoutNanos;
        this.interruptible = interruptible;
    }

    /** A waiter without a deadline that throws {@link InterruptedException} when interrupted. */
    static Waiter forever() {
        return new Waiter(Long.MAX_VALUE, true);
    }

    /** A waiter that gives up after {@code timeout}. */
    static Waiter upTo(Duration timeout) {
        long nanos;
        try {
            nanos = Math.max(0, timeout.toNanos());
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        return new Waiter(nanos, true);
    }

    /**
     * A waiter without a deadline for a call that may not throw {@link InterruptedException}: an interrupt is kept
     * and set again by {@link #done()}.
     */
    static Waiter uninterruptibly() {
        return new Waiter(Long.MAX_VALUE, false);
    }

    /**
     * Waits a little.
     *
     * @return false if the deadline has passed
     * @throws InterruptedException if interrupted (an interruptible waiter only)
     */
    boolean pause() throws InterruptedException {
        if (Thread.interrupted()) {
            if (interruptible) {
                throw new InterruptedException();
            }
            interrupted = true;
        }
        long now = System.nanoTime();
        if (now - deadline >= 0 && deadline != Long.MAX_VALUE) {
            return false;
        }
        long waited = now - start;
        if (waited < SPIN_NANOS) {
            Thread.onSpinWait();
        } else if (waited < SPIN_NANOS + YIELD_NANOS) {
            Thread.yield();
        } else {
            long nanos = deadline == Long.MAX_VALUE ? park : Math.min(park, deadline - now);
            LockSupport.parkNanos(this, Math.max(1, nanos));
            if (waited >= SHORT_PARKS_UNTIL_NANOS) {
                park = Math.min(park * 2, MAX_PARK_NANOS);
            }
        }
        return true;
    }

    /** Returns whether the slow checks are due, and if so counts them as done. */
    boolean checkDue() {
        long now = System.nanoTime();
        if (now - nextCheck >= 0) {
            nextCheck = now + CHECK_NANOS;
            return true;
        }
        return false;
    }

    /** Sets the interrupt again if one came while an uninterruptible waiter waited. */
    void done() {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
