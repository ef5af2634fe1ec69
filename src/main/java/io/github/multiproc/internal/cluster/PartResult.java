package io.github.multiproc.internal.cluster;


/**
 * How one task of a call went on a node: the worker's encoded outcome (see
 * {@link io.github.multiproc.internal.task.EncodedCall}), or the local pool's failure (the worker died, the task timed
 * out or was cancelled), which is one of the library's own exceptions.
 *
 * @param outcome the encoded outcome; null if {@code failure} is set
 * @param failure the local pool's exception; null if {@code outcome} is set
 */
record PartResult(byte[] outcome, RuntimeException failure) {
}
