package io.github.multiproc;

/**
 * A snapshot of a {@link ProcessPool}'s counters.
 *
 * <p>Thread safety: an immutable value.
 *
 * @param submitted tasks accepted by the pool (a {@code map} counts one task per chunk)
 * @param completed tasks that returned a value
 * @param failed tasks that ended with an exception: the task threw, its worker died, or it timed out
 * @param cancelled tasks whose futures were cancelled, or that {@link ProcessPool#terminate()} ended
 * @param workerRestarts workers started to replace one that died, was killed or was recycled
 * @param queued tasks waiting for a worker
 * @param running tasks sent to a worker and not yet answered
 */
public record PoolStats(long submitted, long completed, long failed, long cancelled, long workerRestarts, int queued,
        int running) {
}
