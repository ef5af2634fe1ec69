package io.github.multiproc.internal.pool;

import io.github.multiproc.ExitStatus;
import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.spawn.Children;
import java.time.Duration;
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
    /** The longest pause between two attempts to start a replacement. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

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
                } else if (!t.isSettled()) {
                    requeue.add(t);
                }
            }
            w.inFlight.forEach(PoolTask::workerDone);
            w.inFlight.clear();
            if (running != null && w.killedFor != null && running != w.killedFor && !running.isSettled()) {
                // killed for a task it had answered meanwhile: the one it was running is innocent, and runs again
                requeue.add(0, running);
                running = null;
            }
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
        boolean endedByPool = w.killedFor != null
                || status.map(s -> s.code() == ChannelProtocol.EXIT_CANCELLED).orElse(false);
        // the counters first, so that whoever sees the task fail also sees the restart
        // a worker killed from outside (SIGKILL, SIGTERM) before it was ready says nothing about whether JVMs can start
        boolean startFailure = beforeReady && !status.map(WorkerLoss::endedFromOutside).orElse(false);
        afterLoss(w, (asked && !beforeReady) || endedByPool, beforeReady, startFailure, w.ready, () -> {
            if (crashed != null && !crashed.endedByPool && !crashed.future.isDone()) {
                engine.fail(crashed, engine.failures.crash(w, status, "while running task " + crashed.description()));
            }
        });
    }

    /** SIGKILL or SIGTERM: someone ended it (the pool itself at close, a user, the OOM killer). */
    private static boolean endedFromOutside(ExitStatus status) {
        int signal = status.signal().orElse(0);
        return signal == 9 || signal == 15;
    }

    private Optional<ExitStatus> awaitExit(Worker w) {
        try {
            w.process.finished().get(PoolEngine.EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            w.process.kill(); // its channel is gone, so it is of no use
            try {
                w.process.finished().get(PoolEngine.EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
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

    private void afterLoss(Worker w, boolean retired, boolean beforeReady, boolean startFailure,
            CompletableFuture<Void> ready, Runnable failTask) {
        boolean replace;
        List<PoolTask> abandoned = new ArrayList<>();
        Throwable why = null;
        engine.lock.lock();
        try {
            if (engine.slots[w.slot] == w) {
                engine.slots[w.slot] = null;
            }
            if (startFailure) {
                engine.startFailures++;
            }
            // not while this JVM exits: its exit hook has just ended the workers, and a new one would start for nothing
            replace = (engine.state == PoolEngine.State.RUNNING
                    || (engine.state == PoolEngine.State.SHUTDOWN && !engine.queue.isEmpty()))
                    && !Children.get().exiting();
            // while a worker is ready, the JVMs can start: those dying before they are ready were killed, or starved
            if (replace && engine.startFailures >= PoolEngine.MAX_START_FAILURES && !anyReadyWorkerLeft()) {
                replace = false;
                why = engine.failures.noWorker("workers keep dying before they are ready",
                        ready.handle((v, e) -> e).join());
                abandoned.addAll(giveUp(why));
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
            engine.fail(t, engine.failures.broken(t, why));
        }
        if (replace) {
            replace(w);
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

    /**
     * Starts a worker in the slot of {@code lost}. A launch that fails in this JVM (no file for the channel, no
     * process: a full disk, a pids limit, a bad setting) is tried again after 100, 200, 400 ... ms (at most
     * {@link #MAX_BACKOFF}), for as long as the pool needs workers. It counts with the workers that die before they
     * are ready: once {@link PoolEngine#MAX_START_FAILURES} have failed in a row and no worker is left, the pool gives
     * up, and queued and new tasks fail with why. A terminate(), or a shut-down pool with nothing queued, ends the
     * waiting at once.
     */
    private void replace(Worker lost) {
        long backoffMillis = 100;
        try {
            while (true) {
                RuntimeException failure;
                try {
                    engine.startWorker(lost.slot);
                    return;
                } catch (RuntimeException e) {
                    failure = e;
                }
                List<PoolTask> abandoned;
                Throwable why;
                engine.lock.lock();
                try {
                    engine.startFailures++;
                    if (engine.startFailures < PoolEngine.MAX_START_FAILURES || anyWorkerLeft()) {
                        PoolEngine.LOG.warn("{}: cannot start a worker to replace {}; trying again in {} ms: {}",
                                engine.name, lost.name, backoffMillis, failure.toString());
                        long nanos = TimeUnit.MILLISECONDS.toNanos(backoffMillis);
                        while (nanos > 0 && stillNeeded()) {
                            nanos = engine.changed.awaitNanos(nanos); // terminate() and shutdown() signal
                        }
                        if (!stillNeeded()) {
                            return;
                        }
                        backoffMillis = Math.min(2 * backoffMillis, MAX_BACKOFF.toMillis());
                        continue;
                    }
                    why = engine.failures.noWorker(failure.getMessage(), failure);
                    abandoned = giveUp(why);
                } finally {
                    engine.lock.unlock();
                }
                PoolEngine.LOG.warn("{}: cannot start a worker to replace {}; giving up, {} queued tasks fail: {}",
                        engine.name, lost.name, abandoned.size(), failure.toString());
                for (PoolTask t : abandoned) {
                    engine.fail(t, engine.failures.broken(t, why));
                }
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            engine.replacementDone();
        }
    }

    /** Whether the pool still wants a worker started: running, or shut down with tasks queued. Lock held. */
    private boolean stillNeeded() {
        return engine.state == PoolEngine.State.RUNNING
                || (engine.state == PoolEngine.State.SHUTDOWN && !engine.queue.isEmpty());
    }

    /** Whether a worker is ready and alive. Lock held. */
    private boolean anyReadyWorkerLeft() {
        for (Worker w : engine.slots) {
            if (w != null && !w.lost && w.isReady) {
                return true;
            }
        }
        return false;
    }

    /** Whether another worker is alive, so that tasks still run while this slot stays empty. Lock held. */
    private boolean anyWorkerLeft() {
        for (Worker w : engine.slots) {
            if (w != null && !w.lost) {
                return true;
            }
        }
        return false;
    }

    /**
     * No worker can be started: the pool shuts down, remembers why (new tasks fail with it), and returns the queued
     * tasks for the caller to fail outside the lock. Called with the engine's lock held.
     */
    private List<PoolTask> giveUp(Throwable why) {
        engine.broken = why;
        List<PoolTask> abandoned = new ArrayList<>(engine.queue);
        engine.queue.clear();
        if (engine.state == PoolEngine.State.RUNNING) {
            engine.state = PoolEngine.State.SHUTDOWN;
        }
        engine.changed.signalAll();
        return abandoned;
    }
}
