package io.github.multiproc.internal.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a pool ends a task before it finishes: cancelled by its caller, or past the pool's task timeout. The state it
 * reads is the engine's, guarded by the engine's lock; workers are killed outside the lock.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class TaskEnds {
    private final PoolEngine engine;

    TaskEnds(PoolEngine engine) {
        this.engine = engine;
    }

    /**
     * The caller cancelled {@code task}'s future: a queued task is removed; one sent but perhaps not started is
     * skipped by its worker; a running one, with {@code mayInterrupt}, has its worker killed (and replaced).
     */
    void cancelled(PoolTask task, boolean mayInterrupt) {
        Worker kill = null;
        Worker skip = null;
        engine.cancelledCount.increment();
        engine.lock.lock();
        try {
            if (engine.queue.remove(task)) {
                return;
            }
            Worker w = task.worker;
            if (w != null && w.inFlight.peekFirst() == task && mayInterrupt) {
                task.endedByPool = true;
                kill = w;
            } else if (w != null && !w.lost) {
                skip = w; // sent, perhaps not started: the worker skips it if its turn has not come
            }
        } finally {
            engine.lock.unlock();
        }
        if (skip != null) {
            skip.sendCancel(task.id);
        }
        if (kill != null) {
            PoolEngine.LOG.debug("{}: task {} cancelled while running; killing {}", engine.name, task.description(),
                    kill.name);
            kill.process.kill();
        }
    }

    /** Runs on the library's timer: fails the tasks that ran longer than the task timeout, kills their workers. */
    void checkTimeouts() {
        Duration timeout = engine.config.taskTimeout();
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
                if (head != null && !head.endedByPool
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
            engine.fail(t, engine.failures.timeout(w, t, timeout));
            w.process.kill();
        }
    }
}
