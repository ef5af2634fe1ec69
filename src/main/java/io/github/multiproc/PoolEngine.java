package io.github.multiproc;

import io.github.multiproc.internal.PayloadException;
import io.github.multiproc.internal.TaskCall;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind a {@link ProcessPool}: a queue of tasks, a set of worker JVMs, and three kinds of threads.
 * <ul>
 *   <li>{@code <pool>-dispatcher} takes tasks off the queue and writes them to workers with room (one task at a time
 *       while tasks are long, up to {@link #PREFETCH} while they are short), and tells retiring workers to exit;</li>
 *   <li>{@code <pool>-worker-<slot>}, one per worker, reads its answers, and notices when it dies;</li>
 *   <li>{@code <pool>-results} completes the callers' futures, so that a caller's dependent actions never run on a
 *       thread the pool needs.</li>
 * </ul>
 *
 * <p>State: {@code RUNNING} → {@code SHUTDOWN} (no new tasks; queued ones still run; then workers are told to exit)
 * → {@code TERMINATED} (every worker has exited). {@code terminate()} goes to {@code TERMINATED} at once.
 *
 * <p>A worker that dies fails only the task it was running (the first of its in-flight tasks), with its exit status
 * and stderr tail; the tasks it had been sent but not started go back to the front of the queue; a new worker takes
 * its slot.
 *
 * <p>Thread safety: all mutable state is guarded by {@link #lock}.
 */
final class PoolEngine {
    private static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);
    private static final AtomicInteger POOL_NUMBERS = new AtomicInteger();
    /** Tasks in flight per worker while its tasks are short. */
    static final int PREFETCH = 16;
    /** A task answered this fast counts as short. */
    private static final long SHORT_TASK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Replacement workers that die before they are ready, in a row, before the pool gives up. */
    private static final int MAX_START_FAILURES = 3;
    /** How long to wait, after a worker's channel ended, for its exit status and last stderr lines. */
    private static final Duration EXIT_WAIT = Duration.ofMillis(1500);

    enum State { RUNNING, SHUTDOWN, TERMINATED }

    final PoolConfig config;
    final String name;
    private final TaskCall initializer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<PoolTask> queue = new ArrayDeque<>();
    private final Worker[] slots;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final ExecutorService results;
    private final Thread dispatcher;
    private final ScheduledFuture<?> timeoutCheck;
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder submitted = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder cancelledCount = new LongAdder();
    private final AtomicLong restarts = new AtomicLong();
    private State state = State.RUNNING;
    private int startFailures;
    private int replacing;

    private PoolEngine(PoolConfig config) {
        this.config = config;
        this.name = config.name() != null ? config.name() : "pool-" + POOL_NUMBERS.incrementAndGet();
        this.initializer = config.initializer() == null ? null : Calls.of(config.initializer());
        this.slots = new Worker[config.workers()];
        this.results = Executors.newSingleThreadExecutor(r -> daemon(r, name + "-results"));
        this.dispatcher = daemon(this::dispatchLoop, name + "-dispatcher");
        Duration timeout = config.taskTimeout();
        if (timeout != null) {
            long period = Math.max(5, Math.min(100, timeout.toMillis() / 5));
            timeoutCheck = ProcessTree.TIMER.scheduleAtFixedRate(this::checkTimeouts, period, period,
                    TimeUnit.MILLISECONDS);
        } else {
            timeoutCheck = null;
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts the workers in parallel and waits until every one is ready. */
    static PoolEngine start(PoolConfig config) {
        if (config.initializer() != null) {
            TaskPayload.check(Calls.of(config.initializer()), config.initializer(), "initializer");
        }
        PoolEngine engine = new PoolEngine(config);
        List<Worker> started = new ArrayList<>();
        try {
            for (int slot = 0; slot < config.workers(); slot++) {
                started.add(engine.startWorker(slot));
            }
            for (Worker w : started) {
                w.ready.get();
            }
        } catch (InterruptedException e) {
            engine.terminate();
            Thread.currentThread().interrupt();
            throw new MultiprocException(engine.name + ": interrupted while its workers started", e);
        } catch (ExecutionException e) {
            engine.terminate();
            throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
                    : new MultiprocException(engine.name + ": a worker failed to start", e.getCause());
        } catch (RuntimeException e) {
            engine.terminate();
            throw e;
        }
        engine.dispatcher.start();
        return engine;
    }

    private Worker startWorker(int slot) {
        Children children = Children.get();
        long serial = children.nextSerial();
        String workerName = name + "-worker-" + slot;
        ChannelListener listener = children.openListener(serial, workerName);
        ChildSpec spec = new ChildSpec(workerName, null, java.util.Map.of(), null, config.stdout(), config.stderr(),
                null, ParentExit.TERMINATE, Settings.terminateGrace());
        ChildHandle<Void> process;
        try {
            process = children.startWorker(listener, config.jvmOptions(), config.systemProperties(), spec);
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        Worker w = new Worker(this, slot, workerName, process, listener);
        lock.lock();
        try {
            slots[slot] = w;
        } finally {
            lock.unlock();
        }
        w.watchExit();
        w.startReader(initializer);
        LOG.debug("{}: started worker {} (pid {})", name, workerName, w.pid());
        return w;
    }

    // ------------------------------------------------------------------ submitting

    /**
     * Queues a task.
     *
     * @param owner the pool facade: its futures keep it reachable, so that the garbage collector does not terminate
     *     a pool whose results someone still waits for
     * @param direct the future never leaves the library (a blocking {@code apply} waits on it), so it may be completed
     *     on the worker's reader thread, saving the hop to the results thread: no user callback can run there
     */
    <R> CompletableFuture<R> submit(TaskCall call, Object owner, boolean direct) {
        if (!Calls.surelySerializable(call)) {
            TaskPayload.check(call, call, "task");
        }
        PoolTask task = new PoolTask(ids.incrementAndGet(), call, this, owner);
        task.direct = direct;
        lock.lock();
        try {
            if (state != State.RUNNING) {
                throw new RejectedExecutionException(name + " is " + (state == State.SHUTDOWN ? "shut down"
                        : "terminated") + "; no new tasks");
            }
            queue.add(task);
            submitted.increment();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<R> future = (CompletableFuture<R>) task.future;
        return future;
    }

    // ------------------------------------------------------------------ dispatching

    private void dispatchLoop() {
        List<Worker> exits = new ArrayList<>();
        java.util.Map<Worker, List<PoolTask>> batches = new java.util.LinkedHashMap<>();
        while (true) {
            lock.lock();
            try {
                while (true) {
                    if (state == State.TERMINATED) {
                        return;
                    }
                    collectExits(exits);
                    if (!exits.isEmpty()) {
                        break;
                    }
                    PoolTask head = queue.peekFirst();
                    if (head != null && head.future.isDone()) {
                        queue.pollFirst(); // cancelled while queued
                        continue;
                    }
                    if (head != null && leastBusyWorker() != null) {
                        // each task to the least busy worker (so that idle workers share a burst), as many as
                        // they have room for; each worker's tasks written together and flushed once
                        Worker target;
                        while (!queue.isEmpty() && (target = leastBusyWorker()) != null) {
                            PoolTask task = queue.pollFirst();
                            if (task.future.isDone()) {
                                continue;
                            }
                            task.worker = target;
                            task.sentNanos = System.nanoTime();
                            target.inFlight.addLast(task);
                            target.sent++;
                            batches.computeIfAbsent(target, w -> new ArrayList<>()).add(task);
                            if (config.maxTasksPerWorker() > 0 && target.sent >= config.maxTasksPerWorker()) {
                                target.retiring = true;
                            }
                        }
                        break;
                    }
                    changed.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
            for (Worker w : exits) {
                w.sendExit();
            }
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

    /** Workers with nothing left to do that should exit: recycled ones, and all of them after shutdown. */
    private void collectExits(List<Worker> exits) {
        boolean drained = state == State.SHUTDOWN && queue.isEmpty();
        for (Worker w : slots) {
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
        for (Worker w : slots) {
            if (hasRoom(w) && (best == null || w.inFlight.size() < best.inFlight.size())) {
                best = w;
            }
        }
        return best;
    }

    private static boolean hasRoom(Worker w) {
        return w != null && w.isReady && !w.lost && !w.retiring
                && w.inFlight.size() < (w.shortTasks ? PREFETCH : 1);
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
            lock.lock();
            try {
                w.inFlight.remove(task);
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            fail(task, TaskPayload.notSerializable("task", task.call, e.getCause()));
        } catch (IOException e) {
            LOG.debug("{}: cannot send to {}: {}", name, w.name, e.toString());
            w.closeChannel(); // its reader notices, and the task goes back to the queue or fails with the worker
        }
    }

    // ------------------------------------------------------------------ answers

    void workerReady(Worker w) {
        lock.lock();
        try {
            w.isReady = true;
            w.lastAnswerNanos = System.nanoTime();
            startFailures = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        w.ready.complete(null);
    }

    void workerLeaving(Worker w) {
        lock.lock();
        try {
            w.retiring = true;
            w.saidBye = true;
        } finally {
            lock.unlock();
        }
    }

    void answered(Worker w, long id, TaskChannel.Outcome outcome) {
        PoolTask task;
        lock.lock();
        try {
            task = w.inFlight.peekFirst();
            if (task == null || task.id != id) {
                LOG.error("{}: {} answered task {} but {} was expected", name, w.name, id,
                        task == null ? "none" : task.id);
                return;
            }
            w.inFlight.pollFirst();
            long now = System.nanoTime();
            w.shortTasks = now - Math.max(task.sentNanos, w.lastAnswerNanos) < SHORT_TASK_NANOS;
            w.lastAnswerNanos = now;
            task.worker = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        switch (outcome.kind()) {
            case TaskChannel.Outcome.VALUE:
                complete(task, outcome.value());
                break;
            case TaskChannel.Outcome.SKIPPED:
                break; // cancelled before it started: its future is settled already
            case TaskChannel.Outcome.FAILED:
                fail(task, new ChildFailedException(name + ": task " + task.description() + " failed on worker pid "
                        + w.pid() + ": " + outcome.error(), outcome.error()));
                break;
            case TaskChannel.Outcome.UNREADABLE:
                fail(task, new ChildFailedException(name + ": worker pid " + w.pid() + " could not read task "
                        + task.description() + ": " + outcome.error()
                        + " (workers run on this JVM's class path; is the task's class on it?)", outcome.error()));
                break;
            case TaskChannel.Outcome.UNSENDABLE:
                fail(task, new ChildFailedException(name + ": task " + task.description() + ": "
                        + outcome.error().getMessage(), outcome.error()));
                break;
            default:
                fail(task, new ChildFailedException(name + ": cannot read the answer to task " + task.description()
                        + " from worker pid " + w.pid() + ": " + outcome.error(), outcome.error()));
        }
    }

    private void complete(PoolTask task, Object value) {
        onResultsThread(task, () -> {
            if (task.settle()) {
                completed.increment();
                task.future.complete(value);
            }
        });
    }

    /**
     * Runs {@code r} on the results thread, or here for a task whose future only the library waits on, or once the
     * pool has terminated and that thread is gone.
     */
    private void onResultsThread(PoolTask task, Runnable r) {
        if (task.direct) {
            r.run();
            return;
        }
        try {
            results.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    private void fail(PoolTask task, Throwable error) {
        onResultsThread(task, () -> {
            if (task.settle()) {
                if (error instanceof CancellationException) {
                    cancelledCount.increment();
                } else {
                    failed.increment();
                }
                task.future.completeExceptionally(error);
            }
        });
    }

    // ------------------------------------------------------------------ losses

    /** The worker's channel has ended: it died, was killed, or exited as asked. */
    void workerLost(Worker w) {
        PoolTask running = null;
        List<PoolTask> requeue = new ArrayList<>();
        boolean beforeReady;
        boolean asked;
        lock.lock();
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
                queue.addFirst(requeue.get(i));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Optional<ExitStatus> status = awaitExit(w);
        if (beforeReady) {
            Throwable why = w.initFailure() != null
                    ? new ChildFailedException(name + ": the initializer failed in worker pid " + w.pid() + ": "
                            + w.initFailure(), w.initFailure())
                    : crash(w, status, "before it was ready");
            w.ready.completeExceptionally(why);
        }
        PoolTask crashed = running;
        // the counters first, so that whoever sees the task fail also sees the restart
        afterLoss(w, asked && !beforeReady, beforeReady, w.ready, () -> {
            if (crashed != null && !crashed.endedByPool && !crashed.future.isDone()) {
                fail(crashed, crash(w, status, "while running task " + crashed.description()));
            }
        });
    }

    private Optional<ExitStatus> awaitExit(Worker w) {
        try {
            w.process.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            w.process.kill(); // its channel is gone, so it is of no use
            try {
                w.process.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception again) {
                LOG.debug("{}: {} did not end", name, w.name, again);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debug("{}: waiting for {}", name, w.name, e);
        }
        return w.process.exitStatus();
    }

    private ChildCrashedException crash(Worker w, Optional<ExitStatus> status, String when) {
        List<String> tail = w.process.stderrTailLines();
        StringBuilder message = new StringBuilder(name).append(": worker pid ").append(w.pid()).append(" died ")
                .append(when).append(": ").append(status.map(ExitStatus::toString).orElse("exit status unknown"));
        if (!tail.isEmpty()) {
            message.append("; last lines of its stderr:");
            for (String line : tail.subList(Math.max(0, tail.size() - 10), tail.size())) {
                message.append("\n    ").append(line);
            }
        }
        message.append(" (").append(stateSummary()).append(")");
        return new ChildCrashedException(message.toString(), w.pid(), status.orElse(ExitStatus.ofCode(-1)), tail);
    }

    private void afterLoss(Worker w, boolean retired, boolean beforeReady, CompletableFuture<Void> ready,
            Runnable failTask) {
        boolean replace;
        List<PoolTask> abandoned = new ArrayList<>();
        Throwable giveUp = null;
        lock.lock();
        try {
            if (slots[w.slot] == w) {
                slots[w.slot] = null;
            }
            if (beforeReady) {
                startFailures++;
            }
            // not while this JVM exits: its exit hook has just ended the workers, and a new one would start for nothing
            replace = (state == State.RUNNING || (state == State.SHUTDOWN && !queue.isEmpty()))
                    && !Children.get().exiting();
            if (replace && startFailures >= MAX_START_FAILURES) {
                replace = false;
                giveUp = ready.handle((v, e) -> e).join();
                abandoned.addAll(queue);
                queue.clear();
                state = State.SHUTDOWN;
            }
            if (replace) {
                replacing++;
                restarts.incrementAndGet();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!retired && !beforeReady && !killedOnPurpose(w) && !Children.get().exiting()) {
            LOG.warn("{}: worker {} (pid {}) died; {}", name, w.name, w.pid(),
                    replace ? "replacing it" : "not replaced");
        }
        failTask.run();
        for (PoolTask t : abandoned) {
            fail(t, new MultiprocException(name + ": workers keep dying before they are ready; task "
                    + t.description() + " was not run", giveUp));
        }
        if (replace) {
            try {
                startWorker(w.slot);
            } catch (RuntimeException e) {
                LOG.error("{}: cannot start a worker to replace {}", name, w.name, e);
            } finally {
                lock.lock();
                try {
                    replacing--;
                } finally {
                    lock.unlock();
                }
            }
        }
        checkTerminated();
    }

    private boolean killedOnPurpose(Worker w) {
        lock.lock();
        try {
            return state == State.TERMINATED;
        } finally {
            lock.unlock();
        }
    }

    private void checkTerminated() {
        boolean done;
        lock.lock();
        try {
            boolean anyWorker = replacing > 0;
            for (Worker w : slots) {
                anyWorker |= w != null;
            }
            done = !anyWorker && state != State.RUNNING;
            if (done) {
                state = State.TERMINATED;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (done) {
            finishTermination();
        }
    }

    private void finishTermination() {
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
        }
        results.shutdown();
        terminated.countDown();
    }

    // ------------------------------------------------------------------ cancel, timeout

    void cancelled(PoolTask task, boolean mayInterrupt) {
        Worker kill = null;
        Worker skip = null;
        cancelledCount.increment();
        lock.lock();
        try {
            if (queue.remove(task)) {
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
            lock.unlock();
        }
        if (skip != null) {
            skip.sendCancel(task.id);
        }
        if (kill != null) {
            LOG.debug("{}: task {} cancelled while running; killing {}", name, task.description(), kill.name);
            kill.process.kill();
        }
    }

    private void checkTimeouts() {
        Duration timeout = config.taskTimeout();
        long now = System.nanoTime();
        List<Worker> kill = new ArrayList<>();
        List<PoolTask> expired = new ArrayList<>();
        lock.lock();
        try {
            for (Worker w : slots) {
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
            lock.unlock();
        }
        for (int i = 0; i < kill.size(); i++) {
            Worker w = kill.get(i);
            PoolTask t = expired.get(i);
            fail(t, new TaskTimeoutException(name + ": task " + t.description() + " ran longer than " + timeout
                    + " on worker pid " + w.pid() + "; the worker was killed and is replaced (" + stateSummary()
                    + ")", timeout));
            w.process.kill();
        }
    }

    // ------------------------------------------------------------------ lifecycle

    void shutdown() {
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        checkTerminated();
    }

    void terminate() {
        List<PoolTask> unfinished = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.TERMINATED && terminated.getCount() == 0) {
                return;
            }
            state = State.TERMINATED;
            unfinished.addAll(queue);
            queue.clear();
            for (Worker w : slots) {
                if (w != null) {
                    workers.add(w);
                    unfinished.addAll(w.inFlight);
                    w.inFlight.clear();
                    w.retiring = true;
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (PoolTask t : unfinished) {
            t.endedByPool = true;
            if (t.settle()) {
                cancelledCount.increment();
                t.future.completeExceptionally(new CancellationException(name + " was terminated"));
            }
        }
        for (Worker w : workers) {
            w.process.kill();
        }
        // terminated once every worker process has exited
        CompletableFuture.allOf(workers.stream().map(w -> w.process.onExit()).toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> finishTermination());
    }

    boolean awaitTermination(Duration timeout) throws InterruptedException {
        if (timeout == null) {
            terminated.await();
            return true;
        }
        return terminated.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    boolean isShutdown() {
        lock.lock();
        try {
            return state != State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    List<Long> workerPids() {
        lock.lock();
        try {
            List<Long> pids = new ArrayList<>();
            for (Worker w : slots) {
                if (w != null && !w.lost) {
                    pids.add(w.pid());
                }
            }
            return pids;
        } finally {
            lock.unlock();
        }
    }

    PoolStats stats() {
        lock.lock();
        try {
            int running = 0;
            for (Worker w : slots) {
                if (w != null) {
                    running += w.inFlight.size();
                }
            }
            return new PoolStats(submitted.sum(), completed.sum(), failed.sum(), cancelledCount.sum(),
                    restarts.get(), queue.size(), running);
        } finally {
            lock.unlock();
        }
    }

    /** For messages: {@code workers=4, busy=4, queued=7}. */
    String stateSummary() {
        lock.lock();
        try {
            int busy = 0;
            int alive = 0;
            for (Worker w : slots) {
                if (w != null && !w.lost) {
                    alive++;
                    busy += w.inFlight.isEmpty() ? 0 : 1;
                }
            }
            return "workers=" + alive + ", busy=" + busy + ", queued=" + queue.size();
        } finally {
            lock.unlock();
        }
    }
}
