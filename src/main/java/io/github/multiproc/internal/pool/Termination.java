package io.github.multiproc.internal.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a pool ends: {@code shutdown()} lets the queue drain and the workers exit, {@code terminate()} cancels what is
 * not done and kills the workers; either way the pool is terminated once no worker is left, and no replacement is
 * still being started (one that is ends itself when it sees the pool terminated). The state it reads is the
 * engine's, guarded by the engine's lock.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class Termination {
    private final PoolEngine engine;
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** terminate()'s workers have all exited: the last replacement still being started finishes the termination. */
    private boolean terminatedWorkersExited; // guarded by the engine's lock

    Termination(PoolEngine engine) {
        this.engine = engine;
    }

    /** Finishes the termination once no worker is left and the pool is shut down or terminated. */
    void check() {
        boolean done;
        engine.lock.lock();
        try {
            boolean anyWorker = engine.replacing > 0;
            for (Worker w : engine.slots) {
                anyWorker |= w != null;
            }
            done = !anyWorker && engine.state != PoolEngine.State.RUNNING;
            if (done) {
                engine.state = PoolEngine.State.TERMINATED;
                engine.changed.signalAll();
            }
        } finally {
            engine.lock.unlock();
        }
        if (done) {
            finishTermination();
        }
    }

    /** A replacement's start has ended, started or not: a termination that waited for it may finish now. */
    void replacementDone() {
        boolean finish;
        engine.lock.lock();
        try {
            engine.replacing--;
            finish = engine.replacing == 0 && terminatedWorkersExited;
        } finally {
            engine.lock.unlock();
        }
        if (finish) {
            finishTermination();
        }
    }

    private void finishTerminationUnlessReplacing() {
        boolean replacingNow;
        engine.lock.lock();
        try {
            terminatedWorkersExited = true;
            replacingNow = engine.replacing > 0;
        } finally {
            engine.lock.unlock();
        }
        if (!replacingNow) {
            finishTermination();
        }
    }

    private void finishTermination() {
        engine.ends.stopWatching();
        engine.results.shutdown();
        terminated.countDown();
    }

    /** Stops now: cancels what is not done, kills the workers; done once they and any replacement are gone. */
    void terminate() {
        List<PoolTask> unfinished = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        engine.lock.lock();
        try {
            if (engine.state == PoolEngine.State.TERMINATED && terminated.getCount() == 0) {
                return;
            }
            engine.state = PoolEngine.State.TERMINATED;
            unfinished.addAll(engine.queue);
            engine.queue.clear();
            for (Worker w : engine.slots) {
                if (w != null) {
                    workers.add(w);
                    unfinished.addAll(w.inFlight);
                    w.inFlight.clear();
                    w.retiring = true;
                }
            }
            engine.changed.signalAll();
        } finally {
            engine.lock.unlock();
        }
        for (PoolTask t : unfinished) {
            t.endedByPool = true;
            if (t.settle()) {
                engine.cancelledCount.increment();
                t.future.completeExceptionally(new CancellationException(engine.name + " was terminated"));
            }
        }
        for (Worker w : workers) {
            w.process.kill();
        }
        // terminated once every worker process has exited, and no replacement is still being started: one that is
        // ends itself (see startWorker) and then finishes the termination
        CompletableFuture.allOf(workers.stream().map(w -> w.process.finished()).toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> finishTerminationUnlessReplacing());
    }

    /** Waits until done; {@code timeout} null waits for ever. */
    boolean await(Duration timeout) throws InterruptedException {
        if (timeout == null) {
            terminated.await();
            return true;
        }
        return terminated.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** Whether the pool has terminated: every worker, and every replacement being started, gone. */
    boolean isDone() {
        return terminated.getCount() == 0;
    }
}
