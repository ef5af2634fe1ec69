package io.github.multiproc.internal.pool;

import io.github.multiproc.internal.task.TaskCall;
import java.util.concurrent.CompletableFuture;

/**
 * Where a pool's tasks go: this machine's {@link PoolEngine}, or a cluster's scheduler. {@link PoolMaps} cuts maps
 * into chunks for either.
 *
 * <p>Thread safety: implementations are safe for concurrent use.
 */
public interface TaskSink {
    /**
     * Queues a task.
     *
     * @param call the task
     * @param owner the pool facade, kept reachable by the future
     * @param direct whether the future never leaves the library (a blocking call waits on it)
     * @param <R> the result type
     * @return its future
     */
    <R> CompletableFuture<R> submit(TaskCall call, Object owner, boolean direct);

    /**
     * The worker slots tasks are spread over now.
     *
     * @return at least 1
     */
    int workers();
}
