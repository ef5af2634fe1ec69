package io.github.multiproc.internal.pool;

import io.github.multiproc.ParentExit;
import io.github.multiproc.internal.channel.ChannelListener;
import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.runtime.Settings;
import io.github.multiproc.internal.spawn.ChildHandle;
import io.github.multiproc.internal.spawn.ChildSpec;
import io.github.multiproc.internal.spawn.Children;
import io.github.multiproc.internal.spawn.TaskChannel;
import io.github.multiproc.internal.spawn.WorkerLine;
import io.github.multiproc.internal.task.Calls;
import io.github.multiproc.internal.task.LambdaForm;
import io.github.multiproc.internal.task.TaskCall;
import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.FrameIO;
import io.github.multiproc.internal.wire.PayloadException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker JVM of a pool: its process, its channel, and the thread {@code <pool>-worker-<slot>} that accepts the
 * worker, sends it the initializer and then reads its answers for the {@link PoolEngine}. Tasks are written only by
 * the engine's dispatcher thread. The fields below the line are guarded by the engine's lock.
 */
public final class Worker {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    final PoolEngine engine;
    final int slot;
    final String name;
    final ChildHandle<Void> process;
    private final WorkerLine line;
    private volatile FrameIO io;
    /**
     * The functions sent on this connection as {@link Frame#FUNCTION}, by the key {@link Calls#plainForm} gives (a
     * class, or an encoded task's bytes); dispatcher thread only.
     */
    private final java.util.Map<Object, Integer> functions = new java.util.HashMap<>();
    /** Completes once the worker has connected and run the initializer; fails if it died before. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile Throwable initFailure;

    // ---- guarded by engine.lock
    /** Tasks sent and not answered, in the order sent: the first is the one running. */
    final ArrayDeque<PoolTask> inFlight = new ArrayDeque<>();
    boolean isReady;
    /** No more tasks for this worker: recycled, or it said it leaves. */
    boolean retiring;
    /** The worker said it leaves (its initializer failed, or its task stream broke): nothing of it runs now. */
    boolean saidBye;
    boolean exitSent;
    /** The task this worker was killed for, because it did not end it when told (see TaskEnds). */
    PoolTask killedFor;
    boolean lost;
    int sent;
    long lastAnswerNanos;
    /** Whether its recent tasks were short, so that prefetching more than one pays. */
    boolean shortTasks;

    Worker(PoolEngine engine, int slot, String name, WorkerLine line) {
        this.engine = engine;
        this.slot = slot;
        this.name = name;
        this.process = line.process();
        this.line = line;
    }

    /**
     * Starts the worker of {@code slot}: a ready standby child if one fits, else a JVM of its own. Returns null if the
     * pool was terminated while it started (the new process is then ended, and gone, before this returns).
     *
     * @throws io.github.multiproc.MultiprocException if it cannot be launched (nothing of it is left behind)
     */
    static Worker start(PoolEngine engine, int slot, TaskCall initializer) {
        Children children = Children.get();
        long serial = children.nextSerial();
        String workerName = engine.name + "-worker-" + slot;
        PoolConfig config = engine.config;
        ChildSpec spec = new ChildSpec(workerName, null, java.util.Map.of(), null, config.stdout(), config.stderr(),
                null, ParentExit.TERMINATE, Settings.terminateGrace());
        WorkerLine line = children.takeWorker(config.jvmOptions(), config.systemProperties(), spec);
        if (line == null) {
            ChannelListener listener = children.openListener(serial, workerName);
            try {
                line = WorkerLine.started(children.startWorker(listener, config.jvmOptions(),
                        config.systemProperties(), spec), listener);
            } catch (RuntimeException e) {
                listener.close();
                throw e;
            }
        }
        Worker w = new Worker(engine, slot, workerName, line);
        boolean orphaned;
        engine.lock.lock();
        try {
            orphaned = engine.state == PoolEngine.State.TERMINATED; // terminate() has not seen this one: ours to end
            if (!orphaned) {
                engine.slots[slot] = w;
            }
        } finally {
            engine.lock.unlock();
        }
        if (orphaned) {
            line.close();
            w.process.kill();
            w.process.awaitFinished(PoolEngine.EXIT_WAIT);
            return null;
        }
        w.watchExit();
        w.startReader(initializer);
        LOG.debug("{}: started worker {} (pid {}{})", engine.name, workerName, w.pid(),
                line.wasStandby() ? ", a standby child" : "");
        return w;
    }

    /** Whether the worker has connected: a worker that has not has been sent nothing. */
    boolean connected() {
        return line.connected();
    }

    /** Ends a worker that has not connected and will not be needed (the pool closes with nothing left to run). */
    void abandon() {
        line.close();
        process.kill();
    }

    /** A worker that exits before it connected will never connect: stop waiting for it. */
    void watchExit() {
        process.finished().thenRun(line::processExited);
    }

    long pid() {
        return process.pid();
    }

    void startReader(io.github.multiproc.internal.task.TaskCall initializer) {
        Thread t = new Thread(() -> {
            try {
                serve(initializer);
            } catch (IOException e) {
                LOG.debug("{}: channel ended: {}", name, e.toString());
            } catch (RuntimeException | Error e) {
                LOG.error("{}: reader failed", name, e);
            } finally {
                closeChannel();
                engine.workerLost(this);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private void serve(io.github.multiproc.internal.task.TaskCall initializer) throws IOException {
        ChannelListener.Connection c = line.accept();

        ChannelProtocol.sendSettings(c.out(), ChannelProtocol.MODE_WORKER, true, name, new byte[0], true);
        FrameIO frames = new FrameIO(c.in(), c.out());
        io = frames;
        if (initializer != null) {
            try {
                frames.write(Frame.TASK, 0, initializer);
            } catch (PayloadException e) {
                throw new IllegalStateException("initializer was checked before", e);
            }
        } else {
            engine.workerReady(this);
        }
        Frame frame;
        while ((frame = frames.read()) != null) {
            if (frame.type() == Frame.CANCEL_ACK) {
                engine.cancelAcknowledged(this, frame.id());
                continue;
            }
            if (frame.type() == Frame.EXIT) {
                engine.workerLeaving(this);
                continue;
            }
            TaskChannel.Outcome outcome;
            try {
                outcome = frame.type() == Frame.RESULT_PLAIN
                        ? new TaskChannel.Outcome(TaskChannel.Outcome.VALUE, FrameIO.plainValue(frame), null)
                        : TaskChannel.Outcome.of(frame, frames.decode(frame));
            } catch (PayloadException e) {
                outcome = new TaskChannel.Outcome(TaskChannel.Outcome.GARBLED, null, e.getCause());
                if (!e.inStep()) {
                    engine.answered(this, frame.id(), outcome);
                    throw new IOException("answers out of step", e);
                }
            }
            if (frame.id() == 0) {
                if (outcome.kind() == TaskChannel.Outcome.VALUE) {
                    engine.workerReady(this);
                } else {
                    initFailure = outcome.error();
                }
            } else {
                engine.answered(this, frame.id(), outcome);
            }
        }
    }

    Throwable initFailure() {
        return initFailure;
    }

    /**
     * Sends a task, leaving it buffered unless {@code flush}; dispatcher thread only. A function that captures
     * nothing, applied to a plain value, and a callable or runnable that captures nothing, go without serialization
     * after their first time on this connection.
     */
    void send(PoolTask task, boolean flush) throws IOException, PayloadException {
        Object[] plain = Calls.plainForm(task.call);
        if (plain != null) {
            Object key = plain[1];
            Integer number = functions.get(key);
            if (number == null) {
                number = functions.size() + 1;
                byte[] lambda = LambdaForm.encode(plain[0]);
                if (lambda != null) {
                    io.writeEncoded(Frame.FUNCTION, number, lambda, false);
                } else {
                    io.write(Frame.FUNCTION, number, plain[0], false);
                }
                functions.put(key, number);
            }
            io.writeApplyPlain(task.id, number, plain[2], flush);
            return;
        }
        io.write(Frame.TASK, task.id, task.call, flush);
    }

    /** Pushes out tasks left buffered; dispatcher thread only. */
    void flush() throws IOException {
        io.flush();
    }

    /** Tells the worker to end a task it was sent: it skips it, or ends itself if it runs it; any thread. */
    void sendCancel(long id) {
        try {
            io.write(Frame.CANCEL, id, null);
        } catch (IOException | PayloadException e) {
            LOG.debug("{}: cannot send cancel: {}", name, e.toString());
        }
    }

    /** Asks the worker to finish and exit; dispatcher thread only. */
    void sendExit() {
        try {
            io.write(Frame.EXIT, 0, null);
            line.shutdownOutput(); // nothing follows the exit word; the worker's answers are still read
        } catch (IOException | PayloadException e) {
            LOG.debug("{}: cannot send exit: {}", name, e.toString());
        }
    }

    /** Closes the channel: unblocks the reader. */
    void closeChannel() {
        line.close();
    }
}
