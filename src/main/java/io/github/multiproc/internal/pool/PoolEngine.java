package io.github.multiproc.internal.pool;

import io.github.multiproc.MultiprocException;
import io.github.multiproc.ParentExit;
import io.github.multiproc.PoolStats;
import io.github.multiproc.internal.channel.ChannelListener;
import io.github.multiproc.internal.runtime.Settings;
import io.github.multiproc.internal.spawn.ChildHandle;
import io.github.multiproc.internal.spawn.ChildSpec;
import io.github.multiproc.internal.spawn.WorkerLine;
import io.github.multiproc.internal.spawn.Children;
import io.github.multiproc.internal.spawn.TaskChannel;
import io.github.multiproc.internal.task.Calls;
import io.github.multiproc.internal.task.TaskCall;
import io.github.multiproc.internal.task.TaskPayload;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind a {@code ProcessPool}: a queue of tasks, a set of worker JVMs, and three kinds of threads.
 * <ul>
 *   <li>{@code <pool>-dispatcher} runs the {@link Dispatcher}: it takes tasks off the queue and writes them to workers
 *       with room (one task at a time while tasks are long, up to {@link #PREFETCH} while they are short), and tells
 *       retiring workers to exit;</li>
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
 * its slot ({@link WorkerLoss}). Cancel and task timeout are {@link TaskEnds}'s; the exceptions callers see are
 * {@link PoolFailures}'s. Those classes work on this one's state under its lock: the state is shared, the code is
 * split by what it does.
 *
 * <p>Thread safety: all mutable state is guarded by {@link #lock}.
 */
public final class PoolEngine implements TaskSink {
    static final Logger LOG = LoggerFactory.getLogger(PoolEngine.class);
    private static final AtomicInteger POOL_NUMBERS = new AtomicInteger();
    /** Tasks in flight per worker while its tasks are short. */
    static final int PREFETCH = 16;
    /** A task answered this fast counts as short. */
    private static final long SHORT_TASK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** Replacement workers that die before they are ready, in a row, before the pool gives up. */
    static final int MAX_START_FAILURES = 3;
    /** How long to wait, after a worker's channel ended, for its exit status and last stderr lines. */
    static final Duration EXIT_WAIT = Duration.ofMillis(1500);

    enum State { RUNNING, SHUTDOWN, TERMINATED }

    final PoolConfig config;
    final String name;
    private final TaskCall initializer;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final ArrayDeque<PoolTask> queue = new ArrayDeque<>();
    final Worker[] slots;
    final ExecutorService results;
    private final Thread dispatcher;
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder submitted = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    final LongAdder cancelledCount = new LongAdder();
    final AtomicLong restarts = new AtomicLong();
    final PoolFailures failures = new PoolFailures(this);
    private final WorkerLoss loss = new WorkerLoss(this);
    final TaskEnds ends = new TaskEnds(this);
    private final Termination termination = new Termination(this);
    // ---- guarded by lock
    /** RUNNING -> SHUTDOWN (no new tasks; queued ones still run) -> TERMINATED (every worker has exited). */
    State state = State.RUNNING;
    /** Replacement workers that died before they were ready, in a row. */
    int startFailures;
    /** Replacement workers being started. */
    int replacing;
    /** Why no worker can be started any more: then every queued and new task fails with it. */
    Throwable broken;

    private PoolEngine(PoolConfig config) {
        this.config = config;
        this.name = config.name() != null ? config.name() : "pool-" + POOL_NUMBERS.incrementAndGet();
        this.initializer = config.initializer() == null ? null : Calls.of(config.initializer());
        this.slots = new Worker[config.workers()];
        this.results = Executors.newSingleThreadExecutor(r -> daemon(r, name + "-results"));
        this.dispatcher = daemon(new Dispatcher(this)::run, name + "-dispatcher");
        if (config.taskTimeout() != null) {
            ends.watchTimeouts(config.taskTimeout());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Returns the pool's name: as configured, else {@code pool-<n>}.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the number of worker slots.
     *
     * @return the configured number of workers
     */
    public int workers() {
        return config.workers();
    }

    /**
     * Starts the workers in parallel and returns once one of them is ready (a standby child taken as a worker is, at
     * once); the others take tasks as they become ready. If one fails to start before any is ready, the pool fails.
     */
    public static PoolEngine start(PoolConfig config) {
        if (config.initializer() != null) {
            TaskPayload.check(Calls.of(config.initializer()), config.initializer(), "initializer");
        }
        PoolEngine engine = new PoolEngine(config);
        List<Worker> started = new ArrayList<>();
        try {
            for (int slot = 0; slot < config.workers(); slot++) {
                started.add(engine.startWorker(slot));
            }
            // ready once one worker is: the others join as they come (a failure before that fails the pool)
            CompletableFuture.anyOf(started.stream().map(w -> w.ready).toArray(CompletableFuture[]::new)).get();
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

    /**
     * Starts the worker of {@code slot} ({@link Worker#start}); returns null if the pool was terminated meanwhile.
     *
     * @throws MultiprocException if it cannot be launched (nothing of it is left behind)
     */
    Worker startWorker(int slot) {
        return Worker.start(this, slot, initializer);
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
    @Override
    public <R> CompletableFuture<R> submit(TaskCall call, Object owner, boolean direct) {
        return submit(call, owner, direct, null);
    }

    /**
     * Queues a task with a timeout of its own (a cluster node runs each driver's tasks with that driver's).
     *
     * @param timeout how long it may run; null for the pool's task timeout
     */
    public <R> CompletableFuture<R> submit(TaskCall call, Object owner, boolean direct, Duration timeout) {
        if (!Calls.surelySerializable(call)) {
            TaskPayload.check(call, call, "task");
        }
        PoolTask task = new PoolTask(ids.incrementAndGet(), call, this, owner);
        task.direct = direct;
        if (timeout != null) {
            task.timeout = timeout;
            ends.watchTimeouts(timeout);
        }
        Throwable brokenNow;
        lock.lock();
        try {
            brokenNow = broken;
            if (brokenNow == null && state != State.RUNNING) {
                throw new RejectedExecutionException(name + " is " + (state == State.SHUTDOWN ? "shut down"
                        : "terminated") + "; no new tasks");
            }
            submitted.increment();
            if (brokenNow == null) {
                queue.add(task);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (brokenNow != null) {
            // refused at once, with why, outside the lock: the caller's dependent actions run on this thread
            task.settle();
            failed.increment();
            task.future.completeExceptionally(failures.broken(task, brokenNow));
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<R> future = (CompletableFuture<R>) task.future;
        return future;
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
                if (state == State.TERMINATED) {
                    // terminate() cancelled what was in flight; answers already on the wire still arrive
                    LOG.debug("{}: {} answered task {} after the pool was terminated", name, w.name, id);
                } else {
                    LOG.error("{}: {} answered task {} but {} was expected", name, w.name, id,
                            task == null ? "none" : task.id);
                }
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
        task.workerDone();
        switch (outcome.kind()) {
            case TaskChannel.Outcome.VALUE:
                complete(task, outcome.value());
                break;
            case TaskChannel.Outcome.SKIPPED:
                break; // cancelled before it started: its future is settled already
            default:
                fail(task, failures.answer(w, task, outcome));
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

    void fail(PoolTask task, Throwable error) {
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
        loss.workerLost(w);
    }

    /** Finishes the termination if no worker is left and the pool is not running (see {@link Termination}). */
    void checkTerminated() {
        termination.check();
    }

    /** A replacement's start has ended, started or not (see {@link Termination}). */
    void replacementDone() {
        termination.replacementDone();
    }

    // ------------------------------------------------------------------ cancel, timeout

    /** Worker {@code w} says task {@code id}, which it was told to end, will not run (see {@link TaskEnds}). */
    void cancelAcknowledged(Worker w, long id) {
        PoolTask acknowledged = null;
        lock.lock();
        try {
            for (PoolTask t : w.inFlight) {
                if (t.id == id) {
                    t.cancelAcknowledged = true;
                    acknowledged = t;
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (acknowledged != null) {
            acknowledged.workerDone();
        }
    }

    /** The caller cancels {@code task}'s future: whether the pool took it back (see {@link TaskEnds#cancel}). */
    boolean cancel(PoolTask task, boolean mayInterrupt) {
        return ends.cancel(task, mayInterrupt);
    }

    // ------------------------------------------------------------------ lifecycle

    public void shutdown() {
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

    public void terminate() {
        termination.terminate();
    }

    /** Terminates a pool that became unreachable (its cleaner runs this), unless it has terminated already. */
    public void reclaim() {
        if (!isTerminated()) {
            terminate();
        }
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return termination.await(timeout);
    }

    public boolean isShutdown() {
        lock.lock();
        try {
            return state != State.RUNNING;
        } finally {
            lock.unlock();
        }
    }

    public boolean isTerminated() {
        return termination.isDone();
    }

    public List<Long> workerPids() {
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

    public PoolStats stats() {
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
    public String stateSummary() {
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
