package io.github.multiproc.internal.cluster;

/**
 * How one task of a call went on a node: the worker's encoded outcome (see
 * {@link io.github.multiproc.internal.task.EncodedCall}), or its plain value as it is (null, a boxed primitive or a
 * string: the node holds it without the user's classes), or the local pool's failure (the worker died, the task timed
 * out or was cancelled), which is one of the library's own exceptions.
 *
 * @param outcome the encoded outcome; null if the value is plain or {@code failure} is set
 * @param value the task's plain value, if {@code plain}
 * @param plain whether {@code value} is the task's value
 * @param failure the local pool's exception; null unless the task failed there
 */
record PartResult(byte[] outcome, Object value, boolean plain, RuntimeException failure) {

    /** What a worker answered: an encoded outcome, or a plain value. */
    static PartResult answered(Object answer) {
        return answer instanceof byte[] ? new PartResult((byte[]) answer, null, false, null)
                : new PartResult(null, answer, true, null);
    }

    /** The local pool's exception. */
    static PartResult failed(RuntimeException failure) {
        return new PartResult(null, null, false, failure);
    }
}
