package io.github.multiproc.internal.wire;

/**
 * A message's payload could not be serialized or deserialized; the connection itself is fine.
 */
public final class PayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Whether the receiving stream is still in step with the sender after the failure. */
    private final boolean inStep;

    PayloadException(Throwable cause) {
        this(cause, true);
    }

    public PayloadException(Throwable cause, boolean inStep) {
        super(cause.toString(), cause);
        this.inStep = inStep;
    }

    /**
     * Returns whether later frames of the same connection can still be decoded.
     *
     * @return false if the receiver must drop the connection
     */
    public boolean inStep() {
        return inStep;
    }
}
