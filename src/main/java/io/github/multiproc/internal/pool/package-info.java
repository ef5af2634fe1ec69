/**
 * The engine of a {@code ProcessPool} (parent side): {@code PoolEngine}, its state and lifecycle; {@code Dispatcher},
 * which deals tasks to the least busy workers; {@code Worker}, one worker JVM and its reader thread;
 * {@code WorkerLoss}, what a dead worker fails, requeues and replaces; {@code TaskEnds}, cancel and task timeout;
 * {@code Termination}, shutdown and terminate;
 * {@code PoolMaps} and {@code LazyResults}, {@code map}, {@code starmap} and {@code imap}, over a {@code TaskSink};
 * {@code TakeBackFuture}, the future callers hold, whose cancel asks for the task back; {@code PoolFailures}, the
 * exceptions its callers see.
 */
package io.github.multiproc.internal.pool;
