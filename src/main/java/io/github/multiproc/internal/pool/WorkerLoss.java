package io.github.multiproc.internal.pool;

import io.github.multiproc.ExitStatus;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.internal.spawn.Children;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What happens when a pool's worker is gone: the task it was running fails with its exit status and stderr tail, the
 * tasks it had been sent but not started go back to the front of the queue, and a new worker takes its slot, unless
 * workers keep dying before they are ready (then the queue fails) or the pool is ending. Its state is the engine's,
 * guarded by the engine's lock.
 *
 * <p>Thread safety: runs on the lost worker's reader thread.
 */
final class WorkerLoss {
    private final PoolEngine engine;

    WorkerLoss(PoolEngine engine) {
        this.engine = engine;
    }

    /** The worker's channel has ended: it died, was killed, or exited as asked. */
    void workerLost(Worker w) {
        PoolTask running = null;
        List<PoolTask> requeue = new ArrayList<>();
        boolean beforeReady;
        boolean asked;
        engine.lock.lock();
        try {
            w.lost = true;
            beforeReady = !w.isReady;
            asked = w.exitSent || w.saidBye;
            for (PoolTask t : w.inFlight) {
                t.worker = null;
                if (running == null && !w.saidBye) {
                    running = t; // the first in flight is the one the worker was running
                } else if (!t.future.isDone()) {
                    requeue.add(t);
                }
            }
            w.inFlight.clear();
            for (int i = requeue.size() - 1; i >= 0; i--) {
                engine.queue.addFirst(requeue.get(i));
            }
            engine.changed.signalAll();
        } finally {
            engine.lock.unlock();
        }
        Optional<ExitStatus> status = awaitExit(w);
        if (beforeReady) {
            Throwable why = w.initFailure() != null
                    ? engine.failures.initializerFailed(w)
                    : engine.failures.crash(w, status, "before it was ready");
            w.ready.completeExceptionally(why);
        }
        PoolTask crashed = running;
        // the counters first, so that whoever sees the task fail also sees the restart
        afterLoss(w, asked && !beforeReady, beforeReady, w.ready, () -> {
            if (crashed != null && !crashed.endedByPool && !crashed.future.isDone()) {
                engine.fail(crashed, engine.failures.crash(w, status, "while running task " + crashed.description()));
            }
        });
    }

    private Optional<ExitStatus> awaitExit(Worker w) {
        try {
            w.process.onExit().get(PoolEngine.EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            w.process.kill(); // its channel is gone, so it is of no use
            try {
                w.process.onExit().get(PoolEngine.EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception again) {
                PoolEngine.LOG.debug("{}: {} did not end", engine.name, w.name, again);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            PoolEngine.LOG.debug("{}: waiting for {}", engine.name, w.name, e);
        }
        return w.process.exitStatus();
    }

    private void afterLoss(Worker w, boolean retired, boolean beforeReady, CompletableFuture<Void> ready,
            Runnable failTask) {
        boolean replace;
        List<PoolTask> abandoned = new ArrayList<>();
        Throwable giveUp = null;
        engine.lock.lock();
        try {
            if (engine.slots[w.slot] == w) {
                engine.slots[w.slot] = null;
            }
            if (beforeReady) {
                engine.startFailures++;
            }
            // not while this JVM exits: its exit hook has just ended the workers, and a new one would start for nothing
            replace = (engine.state == PoolEngine.State.RUNNING
                    || (engine.state == PoolEngine.State.SHUTDOWN && !engine.queue.isEmpty()))
                    && !Children.get().exiting();
            if (replace && engine.startFailures >= PoolEngine.MAX_START_FAILURES) {
                replace = false;
                giveUp = ready.handle((v, e) -> e).join();
                abandoned.addAll(engine.queue);
                engine.queue.clear();
                engine.state = PoolEngine.State.SHUTDOWN;
            }
            if (replace) {
                engine.replacing++;
                engine.restarts.incrementAndGet();
            }
            engine.changed.signalAll();
        } finally {
            engine.lock.unlock();
        }
        if (!retired && !beforeReady && !killedOnPurpose(w) && !Children.get().exiting()) {
            PoolEngine.LOG.warn("{}: worker {} (pid {}) died; {}", engine.name, w.name, w.pid(),
                    replace ? "replacing it" : "not replaced");
        }
        failTask.run();
        for (PoolTask t : abandoned) {
            engine.fail(t, new MultiprocException(engine.name + ": workers keep dying before they are ready; task "
                    + t.description() + " was not run", giveUp));
        }
        if (replace) {
            try {
                engine.startWorker(w.slot);
            } catch (RuntimeException e) {
                PoolEngine.LOG.error("{}: cannot start a worker to replace {}", engine.name, w.name, e);
            } finally {
                engine.lock.lock();
                try {
                    engine.replacing--;
                } finally {
                    engine.lock.unlock();
                }
            }
        }
        engine.checkTerminated();
    }

    private boolean killedOnPurpose(Worker w) {
        engine.lock.lock();
        try {
            return engine.state == PoolEngine.State.TERMINATED;
        } finally {
            engine.lock.unlock();
        }
    }
}
