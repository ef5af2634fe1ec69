package io.github.multiproc.internal.pool;

import io.github.multiproc.MultiprocException;
import io.github.multiproc.internal.task.TaskPayload;
import io.github.multiproc.internal.wire.PayloadException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The loop of a pool's {@code <pool>-dispatcher} thread: it takes tasks off the queue and writes them to the least busy
 * workers with room (one task at a time while tasks are long, up to {@link PoolEngine#PREFETCH} while they are short),
 * and tells retiring workers to exit. What it reads and changes is the engine's, guarded by the engine's lock; it
 * writes to the workers' channels outside the lock.
 *
 * <p>Thread safety: one dispatcher thread per pool runs it.
 */
final class Dispatcher {
    private final PoolEngine engine;

    Dispatcher(PoolEngine engine) {
        this.engine = engine;
    }

    /** The dispatcher thread's loop; returns once the pool is terminated. */
    void run() {
        List<Worker> exits = new ArrayList<>();
        List<Worker> abandons = new ArrayList<>();
        java.util.Map<Worker, List<PoolTask>> batches = new java.util.LinkedHashMap<>();
        while (true) {
            engine.lock.lock();
            try {
                while (true) {
                    if (engine.state == PoolEngine.State.TERMINATED) {
                        return;
                    }
                    collectExits(exits, abandons);
                    if (!exits.isEmpty() || !abandons.isEmpty()) {
                        break;
                    }
                    PoolTask head = engine.queue.peekFirst();
                    if (head != null && head.isSettled()) {
                        engine.queue.pollFirst(); // cancelled while queued
                        continue;
                    }
                    if (head != null && leastBusyWorker() != null) {
                        // each task to the least busy worker (so that idle workers share a burst), as many as
                        // they have room for; each worker's tasks written together and flushed once
                        Worker target;
                        while (!engine.queue.isEmpty() && (target = leastBusyWorker()) != null) {
                            PoolTask task = engine.queue.pollFirst();
                            if (task.isSettled()) {
                                continue;
                            }
                            task.worker = target;
                            task.sentNanos = System.nanoTime();
                            target.inFlight.addLast(task);
                            target.sent++;
                            batches.computeIfAbsent(target, w -> new ArrayList<>()).add(task);
                            int max = engine.config.maxTasksPerWorker();
                            if (max > 0 && target.sent >= max) {
                                target.retiring = true;
                            }
                        }
                        break;
                    }
                    engine.changed.awaitUninterruptibly();
                }
            } finally {
                engine.lock.unlock();
            }
            for (Worker w : exits) {
                w.sendExit();
            }
            for (Worker w : abandons) {
                w.abandon();
            }
            abandons.clear();
            exits.clear();
            for (java.util.Map.Entry<Worker, List<PoolTask>> e : batches.entrySet()) {
                List<PoolTask> batch = e.getValue();
                for (int i = 0; i < batch.size(); i++) {
                    send(e.getKey(), batch.get(i), i == batch.size() - 1);
                }
            }
            batches.clear();
        }
    }

    /**
     * Workers with nothing left to do that should exit: recycled ones, and all of them after shutdown; a worker that
     * has not even connected by then (it was still starting: the pool's create returns once one worker is ready) has
     * been sent nothing, and is ended rather than waited for.
     */
    private void collectExits(List<Worker> exits, List<Worker> abandons) {
        boolean drained = engine.state == PoolEngine.State.SHUTDOWN && engine.queue.isEmpty();
        for (Worker w : engine.slots) {
            if (drained && w != null && !w.isReady && !w.lost && !w.exitSent && w.inFlight.isEmpty()
                    && !w.connected()) {
                w.exitSent = true;
                w.retiring = true;
                abandons.add(w);
                continue;
            }
            if (w != null && w.isReady && !w.lost && !w.exitSent && w.inFlight.isEmpty()
                    && (w.retiring || drained)) {
                w.exitSent = true;
                w.retiring = true;
                exits.add(w);
            }
        }
    }

    private Worker leastBusyWorker() {
        Worker best = null;
        for (Worker w : engine.slots) {
            if (hasRoom(w) && (best == null || w.inFlight.size() < best.inFlight.size())) {
                best = w;
            }
        }
        return best;
    }

    private static boolean hasRoom(Worker w) {
        return w != null && w.isReady && !w.lost && !w.retiring
                && w.inFlight.size() < (w.shortTasks ? PoolEngine.PREFETCH : 1);
    }

    /** Takes back a task that never reached {@code w}: it is no longer in flight there. */
    private void withdraw(Worker w, PoolTask task) {
        engine.lock.lock();
        try {
            w.inFlight.remove(task);
            engine.changed.signalAll();
        } finally {
            engine.lock.unlock();
        }
    }

    private void send(Worker w, PoolTask task, boolean flush) {
        try {
            w.send(task, flush);
        } catch (PayloadException e) {
            if (flush) {
                try {
                    w.flush(); // the tasks before it in the batch
                } catch (IOException broken) {
                    w.closeChannel();
                }
            }
            withdraw(w, task);
            engine.fail(task, TaskPayload.notSerializable("task", task.call, e.getCause()));
        } catch (IOException e) {
            PoolEngine.LOG.debug("{}: cannot send to {}: {}", engine.name, w.name, e.toString());
            w.closeChannel(); // its reader notices, and the task goes back to the queue or fails with the worker
        } catch (RuntimeException | Error e) {
            // not the payload (that is a PayloadException) but the write itself: this task fails with it, and the
            // connection, perhaps cut in the middle of a frame, is given up; this thread lives on
            PoolEngine.LOG.debug("{}: sending task {} to {} failed", engine.name, task.description(), w.name, e);
            withdraw(w, task);
            engine.fail(task, new MultiprocException(engine.name + ": task " + task.description()
                    + " could not be sent to worker pid " + w.pid() + ": " + e, e));
            w.closeChannel();
        }
    }
}
