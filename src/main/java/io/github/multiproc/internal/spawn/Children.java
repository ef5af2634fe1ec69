package io.github.multiproc.internal.spawn;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.ParentExit;
import io.github.multiproc.internal.cds.ClassDataArchive;
import io.github.multiproc.internal.channel.ChannelListener;
import io.github.multiproc.internal.ipc.SegmentFiles;
import io.github.multiproc.internal.launch.LaunchCommand;
import io.github.multiproc.internal.reap.ChildRecords;
import io.github.multiproc.internal.reap.OrphanReaper;
import io.github.multiproc.internal.reap.RunDirectory;
import io.github.multiproc.internal.reap.StateDirectory;
import io.github.multiproc.internal.runtime.LibraryTimer;
import io.github.multiproc.internal.runtime.Settings;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's children: starts task children, pool workers and commands, hands tasks to standby children
 * ({@link Standbys}), keeps them in the {@link ChildRegistry} ({@code activeChildren}, {@code waitAny}) and in the
 * state directory's records, and applies their {@link ParentExit} policy from a shutdown hook ({@link ExitHook}).
 *
 * <p>Reaping: every child is a {@link Process} started by {@link ProcessBuilder}, so the JDK's own process reaper
 * thread waits for it and no zombie is left, whether or not anyone joins it. This class never waits for "any child"
 * and never touches SIGCHLD; it only waits for each of its own processes ({@link ExitWaiters}).
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class Children {
    private static final Logger LOG = LoggerFactory.getLogger(Children.class);
    private static final AtomicLong TASK_NAMES = new AtomicLong();
    /** How long after a child got its task its standby replacement is started, if its result is not back yet. */
    private static final Duration REFILL_DELAY = Duration.ofMillis(200);
    private static volatile Children instance;
    /** Task children started as a standby could have been, whose result has not come yet. */
    private final AtomicInteger tasksRunning = new AtomicInteger();

    private final ChildRecords records;
    private final OrphanReaper reaper;
    private final RunDirectory runDir;
    private final LaunchCommand launch;
    private final AtomicLong serials = new AtomicLong();
    private final ChildRegistry registry = new ChildRegistry();
    private final Standbys standbys = new Standbys(this);
    private final OutputStream parentStderr = new FileOutputStream(FileDescriptor.err);

    private Children(Path stateDir) {
        Path privateStateDir = StateDirectory.privateDirectory(stateDir);
        this.records = new ChildRecords(privateStateDir);
        this.reaper = new OrphanReaper(records);
        this.runDir = new RunDirectory(privateStateDir);
        ClassDataArchive archive = new ClassDataArchive(StateDirectory.classDataCache(privateStateDir));
        this.launch = new LaunchCommand(runDir::existing, archive::use);
        StateDirectory.removeStaleRunDirectories(stateDir, runDir.path());
        ExitHook exitHook = new ExitHook(registry, standbys, archive, runDir.path());
        Thread hook = new Thread(() -> {
            exitHook.run();
            records.close(); // deletes the journal unless a child is left in it
        }, "multiproc-exit");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Returns this JVM's children, preparing the state directory on first use.
     *
     * @return the one instance
     * @throws MultiprocException if the state directory cannot be prepared
     */
    public static Children get() {
        Children c = instance;
        if (c == null) {
            synchronized (Children.class) {
                c = instance;
                if (c == null) {
                    c = new Children(Settings.stateDir());
                    instance = c;
                }
            }
        }
        return c;
    }

    /**
     * Returns the default name of the next task child.
     *
     * @return {@code child-<n>}
     */
    public static String nextTaskName() {
        return "child-" + TASK_NAMES.incrementAndGet();
    }

    ChildRecords records() {
        return records;
    }

    /** This JVM's private run directory: channel sockets, key files, argument files. */
    Path runDirectory() {
        return runDir.existing();
    }

    LaunchCommand launch() {
        return launch;
    }

    OutputStream parentStderr() {
        return parentStderr;
    }

    // ---------------------------------------------------------------- starting

    /**
     * Starts a task child for {@code payload}, on a standby child if one fits.
     *
     * @param payload the serialized task
     * @param taskClass names the task, for messages
     * @param jvmOptions the user's JVM options
     * @param systemProperties the user's system properties
     * @param spec the child's settings
     * @param sharedObjects whether the task carries shared-object handles: a JVM started for it readies their
     *     operations as it starts
     * @param <T> the task's result type
     * @return the child
     * @throws MultiprocException if the JVM cannot be started
     */
    public <T> ChildProcess<T> startTask(byte[] payload, String taskClass, List<String> jvmOptions,
            Map<String, String> systemProperties, ChildSpec spec, boolean sharedObjects) {
        int standbyCount = Settings.standbyCount();
        if (standbyCount == 0) {
            standbys.discardAll(); // turned off since they were started
        } else {
            Settings.standbyMax(standbyCount); // a bad value fails the fork that would use it, naming it
        }
        boolean fits = standbyCount > 0 && Standbys.fits(jvmOptions, systemProperties, spec);
        if (fits) {
            ChildHandle<T> warm = startOnStandby(payload, taskClass, spec);
            if (warm != null) {
                refillAfter(warm);
                return warm;
            }
        }
        ChannelListener listener = openListener(serials.incrementAndGet(), spec.name());
        TaskChannel channel = new TaskChannel(listener);
        ChildHandle<T> child;
        try {
            ProcessBuilder pb = childJvm(listener, jvmOptions, systemProperties, spec, false, sharedObjects);
            Process process = launch(pb, spec, true);
            boolean forward = forwardsStderr(spec);
            OutputPump.Tail tail = newTail(spec, forward);
            child = register(ChildHandle.taskChild(this, serials.incrementAndGet(), process, taskClass, spec, tail,
                    forward), process, spec, tail, forward, true, pb.command());
        } catch (RuntimeException e) {
            channel.close(); // the socket and the key file with it
            throw launchFailure(spec, e);
        }
        child.attachChannel(channel);
        channel.start(child, payload, spec.parentExit() == ParentExit.TERMINATE);
        if (fits) {
            refillAfter(child);
        }
        return child;
    }

    /** Hands the task to a standby child if one is there and launched as this fork would be; else null. */
    private <T> ChildHandle<T> startOnStandby(byte[] payload, String taskClass, ChildSpec spec) {
        Standby standby = standbys.take();
        if (standby == null) {
            return null;
        }
        ChildHandle<T> child = ChildHandle.onStandby(this, serials.incrementAndGet(), standby, taskClass, spec);
        registry.track(child, true);
        child.attachChannel(standby.channel);
        standby.adopt(child);
        try {
            standby.channel.assign(child, payload, spec.parentExit() == ParentExit.TERMINATE);
        } catch (IllegalStateException closed) {
            child.channelDone(TaskChannel.Outcome.EMPTY); // it died as it was taken: reported as it ends
        }
        ExitWaiters.onExit(standby.process, child::processExited);
        LOG.debug("{} runs on standby child pid {}", spec.name(), standby.process.pid());
        return child;
    }

    /**
     * Starts the next standby once {@code child} has its result, or a little after it got its task if that takes
     * longer, and in either case not while this JVM's task children keep the processors busy
     * ({@link Standbys#refillWhenFree}): a JVM's start takes both processors of a small machine for a while, and would
     * slow a short task's reading and running, or a busy sibling's, by as much as the standby saves the next fork.
     */
    private void refillAfter(ChildHandle<?> child) {
        tasksRunning.incrementAndGet();
        child.future().whenComplete((value, failure) -> {
            tasksRunning.decrementAndGet();
            standbys.refillWhenFree(tasksRunning::get);
        });
        child.taskDelivered().thenRun(() -> LibraryTimer.get().schedule(() -> standbys.refillWhenFree(
                tasksRunning::get), REFILL_DELAY.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Takes a standby child as a pool worker, if the worker would be launched as the standby was (no JVM options,
     * system properties or redirects of the pool's own): the pool has a worker now (or, if the standby is still
     * starting, sooner) rather than after a JVM's start. A replacement standby is started.
     *
     * @param jvmOptions the pool's JVM options
     * @param systemProperties the pool's system properties
     * @param spec the worker's settings
     * @return the worker, or null if no standby fits or none is there
     */
    public WorkerLine takeWorker(List<String> jvmOptions, Map<String, String> systemProperties, ChildSpec spec) {
        if (Settings.standbyCount() == 0 || !Standbys.fits(jvmOptions, systemProperties, spec)) {
            return null;
        }
        Standby standby = standbys.takeForWorker();
        if (standby == null) {
            return null;
        }
        ChildHandle<Void> child = ChildHandle.workerOnStandby(this, serials.incrementAndGet(), standby,
                "pool worker", spec);
        registry.track(child, false);
        standby.adopt(child);
        java.util.concurrent.CompletableFuture<ChannelListener.Connection> connection;
        try {
            connection = standby.channel.handOver();
        } catch (IllegalStateException closed) {
            connection = java.util.concurrent.CompletableFuture.failedFuture(new IOException("the standby child "
                    + standby.process.pid() + " ended as it was taken"));
        }
        ExitWaiters.onExit(standby.process, child::processExited);
        standbys.refill();
        LOG.debug("{} runs on standby child pid {}", spec.name(), standby.process.pid());
        return WorkerLine.handedOver(child, connection);
    }

    /**
     * Starts a pool worker JVM: a child like a task child, but not one of this JVM's visible children
     * ({@code activeChildren}, {@code waitAny}); it is ended at this JVM's exit all the same.
     *
     * @param listener the worker's channel, opened by {@link #openListener}
     * @param jvmOptions the pool's JVM options
     * @param systemProperties the pool's system properties
     * @param spec the worker's settings
     * @return the worker's process
     * @throws MultiprocException if the JVM cannot be started
     */
    public ChildHandle<Void> startWorker(ChannelListener listener, List<String> jvmOptions,
            Map<String, String> systemProperties, ChildSpec spec) {
        ProcessBuilder pb;
        Process process;
        try {
            pb = childJvm(listener, jvmOptions, systemProperties, spec, false, false);
            process = launch(pb, spec, true);
        } catch (RuntimeException e) {
            throw launchFailure(spec, e);
        }
        boolean forward = forwardsStderr(spec);
        OutputPump.Tail tail = newTail(spec, forward);
        return register(ChildHandle.worker(this, serials.incrementAndGet(), process, "pool worker", spec, tail,
                forward), process, spec, tail, forward, false, pb.command());
    }

    /**
     * Opens the listening end of a child's channel in this JVM's run directory.
     *
     * @param serial a number unique in this JVM ({@link #nextSerial()})
     * @param name the child's name, for the message
     * @return the listener
     * @throws MultiprocException if it cannot be opened
     */
    public ChannelListener openListener(long serial, String name) {
        try {
            return ChannelListener.open(runDir.existing(), serial, "tcp".equals(Settings.transport()),
                    ChannelLogs.SLF4J);
        } catch (IOException e) {
            throw new MultiprocException("cannot open a channel for " + name + " in " + runDir.path() + ": " + e, e);
        }
    }

    /**
     * Returns a number no other child or channel of this JVM has.
     *
     * @return the number
     */
    public long nextSerial() {
        return serials.incrementAndGet();
    }

    /**
     * The process of a child JVM (task child, pool worker or standby): its command line, with the channel arguments
     * last, and its redirects; its stdin is empty, as with Python's multiprocessing.
     */
    ProcessBuilder childJvm(ChannelListener listener, List<String> jvmOptions, Map<String, String> systemProperties,
            ChildSpec spec, boolean standby, boolean sharedObjects) {
        ProcessBuilder pb = new ProcessBuilder(launch.childJvm(jvmOptions, systemProperties, listener.address(),
                listener.keyFile(), spec.name(), standby, spec.parentExit() != ParentExit.TERMINATE, sharedObjects));
        applyCommon(pb, spec);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File(Settings.isWindows() ? "NUL" : "/dev/null")));
        if (forwardsStderr(spec)) {
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
        }
        return pb;
    }

    /** A child JVM's stderr is forwarded here (keeping its tail) unless redirected, sunk, or detached. */
    private static boolean forwardsStderr(ChildSpec spec) {
        return spec.stderr() == null && spec.outputSink() == null && spec.parentExit() != ParentExit.DETACH;
    }

    /** Where a child's last stderr lines are kept, if its stderr comes through this JVM. */
    private static OutputPump.Tail newTail(ChildSpec spec, boolean stderrForwarded) {
        boolean sinkErr = spec.outputSink() != null && spec.stderr() == null;
        return stderrForwarded || sinkErr ? new OutputPump.Tail() : null;
    }

    /**
     * Starts an external command.
     *
     * @param command the program and its arguments
     * @param spec the child's settings
     * @return the child
     * @throws MultiprocException if the program cannot be started
     */
    public ChildProcess<Void> startCommand(List<String> command, ChildSpec spec) {
        ProcessBuilder pb = new ProcessBuilder(command);
        applyCommon(pb, spec);
        if (spec.stdin() != null) {
            pb.redirectInput(spec.stdin());
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        }
        Process process = launch(pb, spec, false);
        OutputPump.Tail tail = newTail(spec, false);
        return register(ChildHandle.command(this, serials.incrementAndGet(), process, String.join(" ", command), spec,
                tail), process, spec, tail, false, true, pb.command());
    }

    private static void applyCommon(ProcessBuilder pb, ChildSpec spec) {
        if (spec.directory() != null) {
            pb.directory(spec.directory().toFile());
        }
        if (!spec.environment().isEmpty()) {
            pb.environment().putAll(spec.environment());
        }
        boolean sink = spec.outputSink() != null;
        pb.redirectOutput(spec.stdout() != null ? spec.stdout()
                : sink ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT);
        pb.redirectError(spec.stderr() != null ? spec.stderr()
                : sink ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.INHERIT);
    }

    /**
     * A child JVM that could not be launched, as the documented {@link MultiprocException}: its command line could
     * not be built (an argument file on a full disk, a bad {@code multiproc.*} setting) or its process not started.
     */
    static MultiprocException launchFailure(ChildSpec spec, RuntimeException e) {
        if (e instanceof MultiprocException) {
            return (MultiprocException) e;
        }
        return new MultiprocException("cannot start task child " + spec.name() + ": " + e.getMessage(), e);
    }

    static Process launch(ProcessBuilder pb, ChildSpec spec, boolean task) {
        try {
            return pb.start();
        } catch (IOException e) {
            String program = pb.command().get(0);
            throw new MultiprocException("cannot start " + (task ? "task child " + spec.name() : "'" + program + "'")
                    + (spec.directory() != null ? " in " + spec.directory() : "") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes a started process one of this JVM's children: the registry ({@code visible}: one of the user's, else a
     * pool worker), its record in the state directory, its output pumps, its exit.
     */
    private <T> ChildHandle<T> register(ChildHandle<T> child, Process process, ChildSpec spec, OutputPump.Tail tail,
            boolean forwardStderr, boolean visible, List<String> command) {
        boolean sinkOut = spec.outputSink() != null && spec.stdout() == null;
        boolean sinkErr = spec.outputSink() != null && spec.stderr() == null;
        registry.track(child, visible);
        record(child.toHandle(), child.start(), spec, String.join(" ", command));
        String prefix = "multiproc-" + spec.name();
        Object sinkLock = new Object();
        if (sinkOut) {
            OutputPump.lines(process.getInputStream(), OutputPump.nativeCharset(), spec.outputSink(), sinkLock,
                    null, prefix + "-stdout").thenRun(child::partDone);
        }
        if (sinkErr) {
            OutputPump.lines(process.getErrorStream(), OutputPump.nativeCharset(), spec.outputSink(), sinkLock,
                    tail, prefix + "-stderr").thenRun(child::partDone);
        } else if (forwardStderr) {
            OutputPump.forward(process.getErrorStream(), parentStderr, OutputPump.nativeCharset(), tail,
                    child.stderrMarker(), child::stderrMarksMet, prefix + "-stderr").thenRun(child::partDone);
        }
        ExitWaiters.onExit(process, child::processExited);
        LOG.debug("started {} (pid {}): {}", spec.name(), process.pid(), child.description());
        return child;
    }

    void record(ProcessHandle process, long start, ChildSpec spec, String command) {
        try {
            records.add(process, start, spec.name(), command, spec.parentExit());
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot record pid {} in the state directory: {}", spec.name(), process.pid(), e.toString());
        }
    }

    /**
     * Returns whether this JVM's exit hook has begun: no new child should start.
     *
     * @return whether this JVM exits
     */
    public boolean exiting() {
        return standbys.exiting();
    }

    // ---------------------------------------------------------------- bookkeeping

    void finished(ChildHandle<?> child) {
        records.remove(child.toHandle(), child.start());
        registry.finished(child);
    }

    void collected(ChildHandle<?> child) {
        registry.collected(child);
    }

    /**
     * Returns the user's live children, oldest first (never pool workers or standby children).
     *
     * @return a snapshot
     */
    public List<ChildHandle<?>> active() {
        return registry.active();
    }

    /**
     * Waits for a child that has ended and was not waited for yet (Python's {@code os.wait}).
     *
     * @param timeout how long to wait at most; null for ever
     * @return the child, or empty after the timeout
     * @throws IllegalStateException if no child is left to wait for
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<ChildProcess<?>> waitAny(Duration timeout) throws InterruptedException {
        return registry.waitAny(timeout);
    }

    /**
     * Lists the orphans recorded in the state directory (see {@code Fork.orphans()}).
     *
     * @return their handles
     */
    public List<ProcessHandle> orphans() {
        return reaper.orphans();
    }

    /**
     * Ends the orphans with the default grace period, and deletes the shared objects of JVMs that are gone (see
     * {@code Fork.reapOrphans()}).
     *
     * @return how many were ended
     * @throws IllegalArgumentException if {@code multiproc.terminateGrace} is not a valid duration
     */
    public int reapOrphans() {
        int ended = reaper.reapOrphans(Settings.terminateGrace(), LibraryTimer.get());
        int freed = SegmentFiles.removeOrphaned(Settings.stateDir());
        if (freed > 0) {
            LOG.warn("freed {} shared objects (queues, pipes, locks, memory) left by JVMs that were killed", freed);
        }
        return ended;
    }
}
