package io.github.multiproc.internal.spawn;

import static java.util.Objects.requireNonNull;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.ExitStatus;
import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.os.ProcessStart;
import io.github.multiproc.internal.os.ProcessTree;
import io.github.multiproc.internal.runtime.LibraryTimer;
import io.github.multiproc.internal.runtime.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one implementation of {@link ChildProcess}, for task and command children alike.
 *
 * <p>A child is finished when its process has exited and been reaped by the JDK, its channel (task children) has
 * reached its end and its output pumps have drained, or at the latest {@link #LINGER} after the exit (a grandchild
 * may hold a pipe open). Only then are its status and {@link #onExit()} published.
 *
 * <p>A task child's result is published as soon as its answer has arrived and everything the child wrote to its
 * stderr before answering has been forwarded (the child says how many bytes that was), so that a result does not
 * wait for the JVM's exit, and a task's own error output still comes before its result. Where output lines go to an
 * {@code onOutputLine} sink, the result waits for the exit as the status does.
 */
public final class ChildHandle<T> implements ChildProcess<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ChildHandle.class);
    /** How long after its exit a child's channel and pipes may take to drain before it is finished anyway. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final Children owner;
    private final long serial;
    private final Process process;
    private final ProcessHandle handle;
    private final long start;
    private final String name;
    private final String description;
    private final ChildSpec spec;
    private final boolean task;
    private final OutputPump.Tail stderrTail;
    private final AtomicInteger pendingParts;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean exitSeen = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    /** Whether the result may be published before the exit (see the class comment). */
    private final boolean earlyResult;
    private final AtomicBoolean resultPublished = new AtomicBoolean();
    private final CountDownLatch resultReady = new CountDownLatch(1);
    /** When an early result may be handed out: once the stderr pump has caught up with the answer. */
    private final StderrGate stderrGate;
    private final CompletableFuture<T> resultFuture = new CompletableFuture<>();
    private final CompletableFuture<T> userFuture;
    private final CompletableFuture<ExitStatus> exitFuture = new CompletableFuture<>();
    /** Completed with the status on the thread that finishes the child: for the library's own dependents only. */
    private final CompletableFuture<ExitStatus> finishedFuture = new CompletableFuture<>();

    private volatile TaskChannel channel;
    private volatile T value;
    private volatile RuntimeException failure;
    private volatile TaskChannel.Outcome outcome;
    private volatile ExitStatus status;
    private volatile int sentSignal;
    private volatile java.util.concurrent.ScheduledFuture<?> lingerCheck;

    /** A command child: its result is its exit; its output pumps (lines to a sink) drain before it is finished. */
    static <T> ChildHandle<T> command(Children owner, long serial, Process process, String description,
            ChildSpec spec, OutputPump.Tail stderrTail) {
        return new ChildHandle<>(owner, serial, process, description, spec, false, stderrTail,
                outputPumps(spec, false), false, StderrGate.none(), -1);
    }

    /**
     * A task child launched for its task: finished once its channel has ended too. Its result may come before its
     * exit unless output lines go to a sink.
     */
    static <T> ChildHandle<T> taskChild(Children owner, long serial, Process process, String description,
            ChildSpec spec, OutputPump.Tail stderrTail, boolean stderrForwarded) {
        return new ChildHandle<>(owner, serial, process, description, spec, true, stderrTail,
                outputPumps(spec, stderrForwarded) + 1, !sinksOutput(spec),
                stderrForwarded ? StderrGate.pumped(ChannelProtocol.newStderrMarker()) : StderrGate.none(),
                -1);
    }

    /** A pool worker: its channel is its pool's, so only its exit and its pumps finish it. */
    static ChildHandle<Void> worker(Children owner, long serial, Process process, String description,
            ChildSpec spec, OutputPump.Tail stderrTail, boolean stderrForwarded) {
        return new ChildHandle<>(owner, serial, process, description, spec, true, stderrTail,
                outputPumps(spec, stderrForwarded), !sinksOutput(spec), StderrGate.none(), -1);
    }

    /** A pool worker that was a standby child: its stderr pump is the standby's, its channel its pool's. */
    static ChildHandle<Void> workerOnStandby(Children owner, long serial, Standby standby, String description,
            ChildSpec spec) {
        return new ChildHandle<>(owner, serial, standby.process, description, spec, true, standby.tail, 1, true,
                StderrGate.none(), standby.start);
    }

    /** A task child that runs on a standby child: its channel and its stderr pump are the standby's. */
    static <T> ChildHandle<T> onStandby(Children owner, long serial, Standby standby, String description,
            ChildSpec spec) {
        return new ChildHandle<>(owner, serial, standby.process, description, spec, true, standby.tail, 2, true,
                StderrGate.pumped(standby.stderrMarker()), standby.start);
    }

    /** The output pumps a child's spec asks for: stdout lines to a sink, stderr lines to a sink or forwarded. */
    private static int outputPumps(ChildSpec spec, boolean stderrForwarded) {
        boolean sinkOut = spec.outputSink() != null && spec.stdout() == null;
        boolean sinkErr = spec.outputSink() != null && spec.stderr() == null;
        return (sinkOut ? 1 : 0) + (sinkErr || stderrForwarded ? 1 : 0);
    }

    /** Whether output lines go to a sink, which must have every line before the result is handed out. */
    private static boolean sinksOutput(ChildSpec spec) {
        return spec.outputSink() != null && (spec.stdout() == null || spec.stderr() == null);
    }

    private ChildHandle(Children owner, long serial, Process process, String description, ChildSpec spec, boolean task,
            OutputPump.Tail stderrTail, int extraParts, boolean earlyResult, StderrGate stderrGate, long start) {
        this.earlyResult = earlyResult;
        this.stderrGate = stderrGate;
        this.owner = owner;
        this.serial = serial;
        this.process = process;
        this.handle = process.toHandle();
        this.start = start >= 0 ? start : ProcessStart.of(handle);
        this.name = spec.name();
        this.description = description;
        this.spec = spec;
        this.task = task;
        this.stderrTail = stderrTail;
        this.pendingParts = new AtomicInteger(1 + extraParts);
        this.userFuture = resultFuture.copy();
        userFuture.whenComplete((v, e) -> {
            if (userFuture.isCancelled()) {
                kill();
            }
        });
    }

    /** What was started: the task's class or the command line. */
    String description() {
        return description;
    }

    long serial() {
        return serial;
    }

    /** When the process started, as {@link ProcessStart} tells it. */
    long start() {
        return start;
    }

    ChildSpec spec() {
        return spec;
    }

    /** Completes once a task child has its task (at once for commands): then it no longer needs this JVM. */
    CompletableFuture<Void> taskDelivered() {
        TaskChannel c = channel;
        return c == null ? CompletableFuture.completedFuture(null) : c.delivered();
    }

    void attachChannel(TaskChannel channel) {
        this.channel = channel;
    }

    /** Called once the process is known to have exited, by the JDK's exit callback or a joining thread first. */
    void processExited() {
        if (!exitSeen.compareAndSet(false, true)) {
            return;
        }
        TaskChannel c = channel;
        if (c != null) {
            c.processExited();
        }
        if (pendingParts.get() > 1) {
            // a channel or a pipe still open: finish anyway once LINGER has passed
            lingerCheck = LibraryTimer.get().schedule(this::finishNow, LINGER.toMillis(), TimeUnit.MILLISECONDS);
        }
        partDone();
    }

    /** Called by the task channel with what the child sent, once the channel has ended. */
    void channelDone(TaskChannel.Outcome outcome) {
        this.outcome = outcome;
        partDone();
    }

    /**
     * Called by the task channel when the child's answer has arrived (its process may still be running), with the
     * number of stderr markers the child had written by then (0 if none).
     */
    void answerArrived(TaskChannel.Outcome answer, long stderrMarks) {
        if (!earlyResult || answer.kind() == TaskChannel.Outcome.SKIPPED) {
            return;
        }
        this.outcome = answer;
        if (stderrGate.answered(stderrMarks)) {
            publishResult(null);
        }
    }

    /** Called by the stderr pump with how many markers it has met in all, having forwarded what came before. */
    void stderrMarksMet(long total) {
        if (stderrGate.met(total)) {
            publishResult(null);
        }
    }

    /** What the child is to write to its stderr before it answers (empty: nothing). */
    byte[] stderrMarker() {
        return stderrGate.marker();
    }

    /** Called when an output pump has drained its stream. */
    void partDone() {
        if (pendingParts.decrementAndGet() == 0) {
            finishNow();
        }
    }

    private void finishNow() {
        if (!process.isAlive() && finished.compareAndSet(false, true)) {
            try {
                finish();
            } catch (RuntimeException | Error e) {
                LOG.error("{}: failed to finish", name, e);
                throw e;
            }
        }
    }

    private void finish() {
        java.util.concurrent.ScheduledFuture<?> linger = lingerCheck;
        if (linger != null) {
            linger.cancel(false); // do not keep this child reachable from the timer for two more seconds
        }
        TaskChannel c = channel;
        if (c != null) {
            c.close(); // a channel still open now is held by a grandchild; the child itself is gone
        }
        int code = process.exitValue();
        ExitStatus s = Settings.isWindows() ? ExitStatus.ofCode(code) : ExitStatus.of(code);
        status = s;
        owner.finished(this);
        done.countDown();
        LOG.debug("{} (pid {}) ended: {}", name, pid(), s);
        // user callbacks may run from here on, after all of the library's own bookkeeping
        finishedFuture.complete(s);
        UserCallbacks.run(() -> exitFuture.complete(s));
        publishResult(s);
    }

    /** Publishes the result once: early from the answer (status null), else at the exit. */
    private void publishResult(ExitStatus s) {
        if (!resultPublished.compareAndSet(false, true)) {
            return;
        }
        try {
            value = value(s);
        } catch (RuntimeException e) {
            failure = e;
        }
        resultReady.countDown();
        RuntimeException f = failure;
        T v = value;
        // the user's future and its dependents, never on this thread: it may be the library's timer, the JDK's
        // process reaper, or a channel's thread
        UserCallbacks.run(() -> {
            if (f != null) {
                resultFuture.completeExceptionally(f);
            } else {
                resultFuture.complete(v);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private T value(ExitStatus s) {
        TaskChannel.Outcome o = outcome;
        if (task && o != null && o.kind() != TaskChannel.Outcome.NONE) {
            if (o.kind() == TaskChannel.Outcome.VALUE) {
                return (T) o.value();
            }
            throw ChildFailures.answer(label(), o);
        }
        if (!task && s.success()) {
            return null;
        }
        throw ChildFailures.ended(label(), task, s, sentSignal, stderrTail == null ? List.of() : stderrTail.snapshot(),
                pid());
    }

    private String label() {
        return (task ? "task child " : "command ") + name + " (pid " + pid() + (task ? ", " : ", ") + description
                + ")";
    }

    @Override
    public long pid() {
        return handle.pid();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isAlive() {
        return !finished.get() && process.isAlive();
    }

    /**
     * Waits at most {@code timeout} until the child is finished, for the library's own waits: unlike {@link #join()}
     * it neither collects the child nor depends on the thread that runs user callbacks.
     *
     * @param timeout how long to wait at most
     * @return whether it is finished
     */
    public boolean awaitFinished(Duration timeout) {
        try {
            return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public ExitStatus join() throws InterruptedException {
        if (!exitSeen.get()) {
            // the JDK's reaper wakes this thread directly; its onExit callback would take one more thread
            process.waitFor();
            processExited();
        }
        done.await();
        owner.collected(this);
        return status;
    }

    @Override
    public Optional<ExitStatus> join(Duration timeout) throws InterruptedException {
        requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        if (!exitSeen.get() && process.waitFor(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
            processExited();
        }
        if (!done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return Optional.empty();
        }
        owner.collected(this);
        return Optional.of(status);
    }

    @Override
    public Optional<ExitStatus> exitStatus() {
        return Optional.ofNullable(status);
    }

    /** The last lines of stderr kept so far (empty if not captured). */
    public List<String> stderrTailLines() {
        return stderrTail == null ? List.of() : stderrTail.snapshot();
    }

    boolean ended() {
        return status != null;
    }

    @Override
    public T result() throws InterruptedException {
        if (!task && !exitSeen.get()) {
            process.waitFor(); // a command's result is its exit
            processExited();
        }
        resultReady.await();
        if (userFuture.isCancelled()) {
            throw new CancellationException(label() + ": its future was cancelled");
        }
        // not collected: only join and waitAny collect a child (ChildProcess's class comment)
        if (failure != null) {
            throw failure;
        }
        return value;
    }

    @Override
    public CompletableFuture<T> future() {
        return userFuture;
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exitFuture;
    }

    /** The exit status once the child is finished, completed on that thread: for the library's own dependents. */
    public CompletableFuture<ExitStatus> finished() {
        return finishedFuture;
    }

    @Override
    public void terminate() {
        if (!process.isAlive()) {
            return;
        }
        if (sentSignal == 0) {
            sentSignal = 15;
        }
        ProcessTree.terminate(handle, spec.terminateGrace(), LibraryTimer.get(), () -> {
            if (process.isAlive()) {
                sentSignal = 9;
            }
        });
    }

    @Override
    public void kill() {
        if (!process.isAlive()) {
            return;
        }
        sentSignal = 9;
        ProcessTree.signal(handle, true);
    }

    @Override
    public ProcessHandle toHandle() {
        return handle;
    }

    @Override
    public InputStream stdout() {
        if (spec.stdout() != ProcessBuilder.Redirect.PIPE) {
            throw new IllegalStateException(name + ": stdout() needs stdout(Redirect.PIPE) on the builder");
        }
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        if (spec.stderr() != ProcessBuilder.Redirect.PIPE) {
            throw new IllegalStateException(name + ": stderr() needs stderr(Redirect.PIPE) on the builder");
        }
        return process.getErrorStream();
    }

    @Override
    public OutputStream stdin() {
        if (task || spec.stdin() != ProcessBuilder.Redirect.PIPE) {
            throw new IllegalStateException(name + ": stdin() needs a command child with stdin(Redirect.PIPE)");
        }
        return process.getOutputStream();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        kill();
        closeQuietly(process.getOutputStream());
        if (spec.stdout() == ProcessBuilder.Redirect.PIPE) {
            closeQuietly(process.getInputStream());
        }
        if (spec.stderr() == ProcessBuilder.Redirect.PIPE) {
            closeQuietly(process.getErrorStream());
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to release then
        }
    }

    @Override
    public String toString() {
        ExitStatus s = status;
        return (task ? "TaskChild[" : "CommandChild[") + name + ", pid " + pid() + ", "
                + (s == null ? "running" : s.toString()) + "]";
    }
}
