package io.github.multiproc.internal.wire;

/**
 * One message on a task channel: {@code [int length][byte kind][long id][payload]}, where the payload continues
 * the sender's Java serialization stream, or starts a new one when {@link #FRESH} is set in the kind.
 *
 * <p>Keeping one serialization stream per connection sends each class descriptor once per connection, not once per
 * message; the frame boundary lets the receiver check that a failed {@code readObject} left the stream in step.
 *
 * @param kind the message kind, one of the constants, possibly with {@link #FRESH}
 * @param id the task id the message belongs to
 * @param payload the serialized bytes (may be empty), or null if the receiver's heap could not hold them and they were
 *     read past ({@link #dropped()})
 * @param length how many bytes of {@code payload} are used, or were sent if it was dropped
 */
public record Frame(int kind, long id, byte[] payload, int length) {
    /** Flag: the payload starts a new serialization stream (with its header). */
    public static final int FRESH = 0x80;
    /** Parent to child: run the task in the payload. */
    public static final int TASK = 1;
    /** Child to parent: the task's value. */
    public static final int RESULT = 2;
    /** Child to parent: the exception the task threw. */
    public static final int FAILED = 3;
    /** Child to parent: the task could not be deserialized; payload the exception. */
    public static final int TASK_UNREADABLE = 4;
    /** Child to parent: the task's value could not be serialized; payload the exception. */
    public static final int RESULT_UNSENDABLE = 5;
    /** Parent to child: finish the current task, then exit. */
    public static final int EXIT = 6;
    /**
     * Parent to worker: the task with this id was cancelled, or ran out of time: skip it if it has not started; if it
     * runs now, the worker ends.
     */
    public static final int CANCEL = 7;
    /** Worker to parent: the task with this id was skipped, as asked; in its place in the order of answers. */
    public static final int SKIPPED = 8;
    /**
     * One-shot child to parent, just before its answer: the id is how many stderr markers (sent in its settings) the
     * child has written to its stderr, the last just now, so that the parent can hand out the answer once its pump
     * has forwarded what came before that marker, not only at the exit; 0 if it wrote none.
     */
    public static final int STDERR_MARK = 9;
    /**
     * Parent to worker: a function (or a callable or runnable task) that captures nothing, which later
     * {@link #APPLY_PLAIN} frames name by the number in the id; payload the object.
     */
    public static final int FUNCTION = 10;
    /**
     * Parent to worker: apply a function sent before ({@link #FUNCTION}) to a plain value, or run a task sent before
     * (the value then null); payload the number and the value in {@link PlainValues}' encoding, no serialization
     * stream.
     */
    public static final int APPLY_PLAIN = 11;
    /** Worker to parent: the task's value, plain ({@link PlainValues}), no serialization stream. */
    public static final int RESULT_PLAIN = 12;
    /**
     * Worker to parent, at once (not in the order of answers): the task with this id, which the parent told it to
     * end, will not run; its {@link #SKIPPED} follows in its place, unless it had finished.
     */
    public static final int CANCEL_ACK = 13;
    /** The largest frame either side accepts. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 64;

    /**
     * Returns the kind without flags.
     *
     * @return one of the constants
     */
    public int type() {
        return kind & 0x7f;
    }

    /**
     * Returns whether the payload was too large for this JVM's heap and was read past: decoding the frame then fails
     * with a {@link PayloadException} that gives its size, and later frames can still be read.
     *
     * @return whether {@link #payload()} is null
     */
    public boolean dropped() {
        return payload == null;
    }

    /**
     * Returns whether the payload starts a new serialization stream.
     *
     * @return whether {@link #FRESH} is set
     */
    public boolean fresh() {
        return (kind & FRESH) != 0;
    }
}
