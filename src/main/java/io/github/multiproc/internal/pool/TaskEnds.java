package io.github.multiproc.internal.pool;

import io.github.multiproc.internal.runtime.LibraryTimer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How a pool ends a task before it finishes: cancelled by its caller, or past the pool's task timeout. The state it
 * reads is the engine's, guarded by the engine's lock; workers are killed outside the lock.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class TaskEnds {
    /** How long a worker told to end a task has to do so before it is killed. */
    static final Duration END_GRACE = Duration.ofSeconds(1);

    private final PoolEngine engine;
    /** The periodic check of task timeouts, once a task has one; guarded by this. */
    private java.util.concurrent.ScheduledFuture<?> timeoutCheck;
    private boolean stopped; // guarded by this

    TaskEnds(PoolEngine engine) {
        this.engine = engine;
    }

    /** Starts checking timeouts, often enough for {@code timeout}, unless already checking. */
    synchronized void watchTimeouts(Duration timeout) {
        if (timeoutCheck == null && !stopped) {
            long period = Math.max(5, Math.min(100, timeout.toMillis() / 5));
            timeoutCheck = LibraryTimer.get().scheduleAtFixedRate(this::checkTimeouts, period, period,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** The pool has terminated: no more checks. */
    synchronized void stopWatching() {
        stopped = true;
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
        }
    }

    /**
     * The caller cancels {@code task}'s future. A queued task is taken off the queue. A task a worker was sent may
     * already run there, so only {@code cancel(true)} takes it back: the worker is told, skips it if its turn has not
     * come, and ends itself if it runs it (the worker decides, not this JVM, which cannot know what the worker does
     * at this instant); {@code cancel(false)} leaves it to run. Either way a task whose cancel returned true never
     * starts after that.
     *
     * @return whether the task was taken back: settled as cancelled and counted, its future for the caller to cancel
     */
    boolean cancel(PoolTask task, boolean mayInterrupt) {
        Worker told;
        CompletableFuture<Void> verdict = null;
        engine.lock.lock();
        try {
            if (engine.queue.remove(task)) {
                told = null;
            } else if (mayInterrupt && task.worker != null && !task.worker.lost) {
                told = task.worker;
                verdict = new CompletableFuture<>();
                task.endedOnWorker = verdict;
            } else {
                return false; // sent and left to run, or no longer the pool's: done, failed, terminated
            }
            if (!task.settle()) {
                return false; // its answer came first
            }
            task.endedByPool = true;
            engine.cancelledCount.increment();
        } finally {
            engine.lock.unlock();
        }
        if (told != null) {
            PoolEngine.LOG.debug("{}: task {} cancelled on {}", engine.name, task.description(), told.name);
            endOnWorker(told, task);
            awaitWorker(task, verdict);
        }
        return true;
    }

    /**
     * Waits for the worker's word on a task it was told to end: it will not run it (a {@code CANCEL_ACK}, sent at
     * once by its reader thread), or it was running it and is gone. Until then this JVM cannot tell whether the task
     * starts, so {@code cancel} does not return before: microseconds, or, for a worker that does not answer, the time
     * to kill it.
     */
    private void awaitWorker(PoolTask task, CompletableFuture<Void> verdict) {
        try {
            verdict.get(END_GRACE.plus(PoolEngine.EXIT_WAIT).plus(PoolEngine.EXIT_WAIT).toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            PoolEngine.LOG.debug("{}: no word from the worker on cancelled task {}: {}", engine.name,
                    task.description(), e.toString());
        }
    }

    /**
     * Tells {@code w} to end {@code task}: it says at once that it will skip it, or ends itself if it runs it. A
     * worker that does neither within {@link #END_GRACE} (a JVM too busy to read, in a garbage collector's death
     * spiral) is killed from here; a task of its that this kill then interrupts is run again elsewhere.
     */
    private void endOnWorker(Worker w, PoolTask task) {
        w.sendCancel(task.id);
        LibraryTimer.get().schedule(() -> {
            boolean kill;
            engine.lock.lock();
            try {
                kill = !w.lost && !task.cancelAcknowledged && w.inFlight.contains(task);
                if (kill) {
                    w.killedFor = task;
                }
            } finally {
                engine.lock.unlock();
            }
            if (kill) {
                PoolEngine.LOG.debug("{}: {} did not end task {} when told; killing it", engine.name, w.name,
                        task.description());
                w.process.kill();
            }
        }, END_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs on the library's timer: fails the tasks that ran longer than the task timeout, and tells their workers to
     * end them (which ends those workers).
     */
    void checkTimeouts() {
        Duration poolTimeout = engine.config.taskTimeout();
        long now = System.nanoTime();
        List<Worker> kill = new ArrayList<>();
        List<PoolTask> expired = new ArrayList<>();
        engine.lock.lock();
        try {
            for (Worker w : engine.slots) {
                if (w == null || w.lost) {
                    continue;
                }
                PoolTask head = w.inFlight.peekFirst();
                Duration timeout = head == null ? null : head.timeout != null ? head.timeout : poolTimeout;
                if (timeout != null && !head.endedByPool
                        && now - Math.max(head.sentNanos, w.lastAnswerNanos) > timeout.toNanos()) {
                    head.endedByPool = true;
                    kill.add(w);
                    expired.add(head);
                }
            }
        } finally {
            engine.lock.unlock();
        }
        for (int i = 0; i < kill.size(); i++) {
            Worker w = kill.get(i);
            PoolTask t = expired.get(i);
            engine.fail(t, engine.failures.timeout(w, t, t.timeout != null ? t.timeout : poolTimeout));
            endOnWorker(w, t);
        }
    }
}
