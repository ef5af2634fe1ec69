package io.github.multiproc.internal.spawn;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads {@code multiproc-exit-<n>}, daemons, that tell a child's handle when its process has exited: one per
 * live child, waiting in {@link Process#waitFor()}, and reused for the next child once it is done. The JDK's own
 * process reaper thread reaps the child and wakes them; nothing here waits for "any child" or touches SIGCHLD.
 *
 * <p>Why not {@link Process#onExit()}: it completes through {@code handleAsync} on the common fork-join pool, and
 * where that pool has fewer than two threads (a machine with one or two processors) {@code CompletableFuture} starts
 * a new thread for every such completion: one thread created and ended per child, which cost a small command's
 * spawn a third of its rate on two processors.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class ExitWaiters {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService WAITERS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "multiproc-exit-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private ExitWaiters() {
    }

    /**
     * Runs {@code exited} on a waiter thread once {@code process} has exited and been reaped.
     *
     * @param process the child's process
     * @param exited what to run then; it must not block
     */
    static void onExit(Process process, Runnable exited) {
        WAITERS.execute(() -> {
            boolean interrupted = false;
            while (true) {
                try {
                    process.waitFor();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // only a pool shutdown would interrupt, and there is none: keep waiting
                }
            }
            exited.run();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
