package io.github.multiproc.internal.ipc;

import io.github.multiproc.internal.os.RunQueue;
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
 * <p>A waiter whose change comes with a {@link Doorbell} (a pipe's receiver that waits for an answer) sleeps on it in
 * place of yielding and parking, once its spin is over ({@link #sleepDue}), and at once while the machine has threads
 * waiting for a processor: a spin or a yield then takes a processor from one of them, often from the very peer it waits
 * for or from the JIT compiler that would make that peer fast. Measured on two processors, pipe round trips in fresh
 * JVMs, alternating with the build before: the first 20,000 took 13-24 us each against 26-34 us; the next 20,000 6-10
 * us against 3-5 us, as on two processors with both ends busy the machine counts as crowded, both ends then sleep more
 * often than not, and a wake-up costs some 7 us. With a processor free, a waiter spins as before.
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
        takeInterrupt();
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

    /**
     * Whether a waiter with a {@link Doorbell} should sleep on it now: its spin is over, or threads of this machine
     * wait for a processor, when spinning would take one from them (often from the peer it waits for, or from the
     * JIT compiler that would make that peer fast).
     */
    boolean sleepDue() {
        return System.nanoTime() - start >= SPIN_NANOS || RunQueue.crowded();
    }

    /**
     * How long a sleep on a {@link Doorbell} may last: until the deadline or the next slow checks. A sleep may end up
     * to {@link Alarm#TICK_NANOS} late, which only a deadline minds: closer to one than that, the waiter does not
     * sleep.
     *
     * @return nanoseconds; 0 for "do not sleep now"; -1 once the deadline has passed
     * @throws InterruptedException if interrupted (an interruptible waiter only)
     */
    long sleepNanos() throws InterruptedException {
        takeInterrupt();
        long now = System.nanoTime();
        if (deadline != Long.MAX_VALUE) {
            long left = deadline - now;
            if (left <= 0) {
                return -1;
            }
            if (left < Alarm.TICK_NANOS) {
                return 0;
            }
            return Math.max(1, Math.min(left - Alarm.TICK_NANOS, nextCheck - now));
        }
        return Math.max(1, nextCheck - now);
    }

    /** Throws if interrupted (an interruptible waiter), or keeps the interrupt for {@link #done()}. */
    private void takeInterrupt() throws InterruptedException {
        if (Thread.interrupted()) {
            if (interruptible) {
                throw new InterruptedException();
            }
            interrupted = true;
        }
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
