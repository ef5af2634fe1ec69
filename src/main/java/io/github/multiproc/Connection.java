package io.github.multiproc;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * One end of a {@link Pipe}, Python's {@code multiprocessing.connection.Connection}: what one end sends, the other
 * receives, in order. An end travels with the tasks that capture it; it is meant for one process at a time, the one
 * that last used it.
 *
 * <p>When the process that last used an end closes it or dies, the other end's {@link #receive()} throws
 * {@link IllegalStateException} once the messages already sent are read, and its {@link #send} throws at once;
 * a receiver waiting sees that within about a second. A copy of an end that a process never used does not keep the
 * pipe open.
 *
 * <p>Thread safety: safe for concurrent use; messages sent by two threads at once arrive whole, in some order.
 *
 * @param <T> the type of the messages
 */
public interface Connection<T> extends Serializable, AutoCloseable {
    /**
     * Sends a message to the other end ({@code Connection.send}), waiting while the pipe holds as many bytes as it
     * can in this direction (an interrupt meanwhile is kept for the caller).
     *
     * @param message the message, not null
     * @throws NullPointerException if {@code message} is null
     * @throws IllegalArgumentException if it cannot be serialized (the message names the class that cannot), or is
     *     larger serialized than the pipe holds; nothing is sent then
     * @throws IllegalStateException if this end is closed, or the other end is closed or its process ended
     */
    void send(T message);

    /**
     * Receives the next message, waiting as long as there is none ({@code Connection.recv}).
     *
     * @return the message
     * @throws IllegalStateException if this end is closed, or once nothing is left and the other end is closed or
     *     its process ended
     * @throws InterruptedException if interrupted while waiting
     */
    T receive() throws InterruptedException;

    /**
     * Receives the next message, waiting up to {@code timeout} ({@code Connection.poll} then {@code recv}).
     *
     * @param timeout how long to wait at most
     * @return the message, or empty after the timeout
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if this end is closed, or once nothing is left and the other end is closed or
     *     its process ended
     * @throws InterruptedException if interrupted while waiting
     */
    Optional<T> receive(Duration timeout) throws InterruptedException;

    /**
     * Closes this end in this JVM; if this process was the last to use it, the other end sees it closed. May be
     * called more than once.
     */
    @Override
    void close();
}
