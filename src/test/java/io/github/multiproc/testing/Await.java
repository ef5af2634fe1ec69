package io.github.multiproc.testing;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.ExitStatus;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded waits for tests: every wait has a deadline and fails with a message that tells what was awaited and what
 * was seen instead. Polling here is the only place tests pause, and only to re-check a condition.
 */
public final class Await {
    /** The deadline for anything a healthy child finishes quickly (JVM start included, on a loaded machine). */
    public static final Duration CHILD_DEADLINE = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /**
     * Polls {@code condition} until it holds.
     *
     * @param timeout the deadline
     * @param what describes the condition and the state seen, evaluated only on failure
     * @param condition the condition
     * @throws AssertionError if the condition does not hold within {@code timeout}
     */
    public static void until(Duration timeout, Supplier<String> what, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Checks that {@code condition} holds throughout {@code period} (a lower-bound check: "still true after X").
     *
     * @param period how long it must hold
     * @param what describes the condition, evaluated only on failure
     * @param condition the condition
     * @throws AssertionError as soon as the condition is seen false
     */
    public static void holds(Duration period, Supplier<String> what, BooleanSupplier condition)
            throws InterruptedException {
        long end = System.nanoTime() + period.toNanos();
        do {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("stopped holding before " + period + " had passed: " + what.get());
            }
            Thread.sleep(POLL_MILLIS);
        } while (System.nanoTime() - end < 0);
    }

    /**
     * Waits for the child to exit within {@link #CHILD_DEADLINE}, then returns {@link ChildProcess#result()}.
     *
     * @param child the child
     * @param <T> its result type
     * @return its result
     * @throws AssertionError if it is still running at the deadline (it is then killed)
     */
    public static <T> T result(ChildProcess<T> child) throws InterruptedException {
        exit(child);
        return child.result();
    }

    /**
     * Joins the child within {@link #CHILD_DEADLINE}.
     *
     * @param child the child
     * @return its exit status
     * @throws AssertionError if it is still running at the deadline (it is then killed)
     */
    public static ExitStatus exit(ChildProcess<?> child) throws InterruptedException {
        return exit(child, CHILD_DEADLINE);
    }

    /**
     * Joins the child within {@code timeout}.
     *
     * @param child the child
     * @param timeout the deadline
     * @return its exit status
     * @throws AssertionError if it is still running at the deadline (it is then killed)
     */
    public static ExitStatus exit(ChildProcess<?> child, Duration timeout) throws InterruptedException {
        return child.join(timeout).orElseGet(() -> {
            child.kill();
            throw new AssertionError(child.name() + " (pid " + child.pid() + ") still running after " + timeout);
        });
    }
}
