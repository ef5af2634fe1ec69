package io.github.multiproc;

import io.github.multiproc.internal.ChildMain;
import io.github.multiproc.internal.ProcessStart;
import java.io.File;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's children: starts them, knows which are alive and which have ended but not been waited for
 * ({@link Fork#waitAny()}), records them in the state directory, and applies their {@link ParentExit} policy from a
 * shutdown hook.
 *
 * <p>Reaping: every child is a {@link Process} started by {@link ProcessBuilder}, so the JDK's own process reaper
 * thread waits for it and no zombie is left, whether or not anyone joins it. This class never waits for "any child"
 * and never touches SIGCHLD; it only listens to {@link Process#onExit()}.
 *
 * <p>Thread safety: safe for concurrent use; the sets are guarded by {@link #lock}.
 */
final class Children {
    private static final Logger LOG = LoggerFactory.getLogger(Children.class);
    private static final AtomicLong TASK_NAMES = new AtomicLong();
    /** How long this JVM's exit waits for a detached task child to connect and take its task. */
    private static final Duration DETACH_HANDOVER = Duration.ofSeconds(10);
    private static volatile Children instance;

    private final ChildRecords records;
    private final Path runDir;
    private final ClassDataArchive archive;
    private final LaunchCommand launch;
    private final AtomicLong serials = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ended = lock.newCondition();
    /** Alive: started and not finished. */
    private final Set<ChildHandle<?>> live = new LinkedHashSet<>();
    /** Not yet returned by waitAny or join: alive or ended. */
    private final Set<ChildHandle<?>> unwaited = new LinkedHashSet<>();
    /** Pool workers: children, but not the user's; ended at exit. */
    private final Set<ChildHandle<?>> hidden = new LinkedHashSet<>();
    private final OutputStream parentStderr = new FileOutputStream(FileDescriptor.err);

    private Children(Path stateDir) {
        this.records = new ChildRecords(ChildRecords.privateDirectory(stateDir));
        ProcessHandle self = ProcessHandle.current();
        this.runDir = ChildRecords.privateDirectory(
                stateDir.resolve("run-" + self.pid() + "-" + ProcessStart.of(self)));
        this.archive = new ClassDataArchive(ChildRecords.privateDirectory(stateDir).resolve("cds"));
        this.launch = new LaunchCommand(runDir, archive);
        removeStaleRunDirectories(stateDir);
        Thread hook = new Thread(this::onJvmExit, "multiproc-exit");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static Children get() {
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

    static String nextTaskName() {
        return "child-" + TASK_NAMES.incrementAndGet();
    }

    ChildRecords records() {
        return records;
    }

    // ---------------------------------------------------------------- starting

    <T> ChildProcess<T> startTask(byte[] payload, String taskClass, List<String> jvmOptions,
            Map<String, String> systemProperties, ChildSpec spec) {
        int standbyCount = Settings.standbyCount();
        if (standbyCount == 0) {
            discardStandbys(); // turned off since they were started
        }
        boolean fits = standbyCount > 0 && standbyFits(jvmOptions, systemProperties, spec);
        if (fits) {
            ChildHandle<T> warm = startOnStandby(payload, taskClass, spec);
            if (warm != null) {
                refillAfter(warm);
                return warm;
            }
        }
        long serial = serials.incrementAndGet();
        ChannelListener listener = openListener(serial, spec.name());
        TaskChannel channel = new TaskChannel(listener);
        ChildHandle<T> child;
        try {
            child = startJvm(listener, jvmOptions, systemProperties, spec, taskClass, true);
        } catch (MultiprocException e) {
            channel.close();
            throw e;
        }
        child.attachChannel(channel);
        channel.start(child, payload, spec.parentExit() == ParentExit.TERMINATE);
        if (fits) {
            refillAfter(child);
        }
        return child;
    }

    /**
     * Starts the next standby once {@code child} has its result, or a little after it got its task if that takes
     * longer: a JVM's start takes both processors of a small machine for a while, and would slow a short task's
     * reading and running by as much as the standby saves the next fork.
     */
    private void refillAfter(ChildHandle<?> child) {
        child.future().whenComplete((value, failure) -> refillStandbys());
        child.taskDelivered().thenRun(() -> ProcessTree.TIMER.schedule(this::refillStandbys,
                REFILL_DELAY.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Starts a pool worker JVM: a child like a task child, but not one of this JVM's visible children
     * ({@link #active()}, {@link #waitAny}); it is ended at this JVM's exit all the same.
     */
    ChildHandle<Void> startWorker(ChannelListener listener, List<String> jvmOptions,
            Map<String, String> systemProperties, ChildSpec spec) {
        return startJvm(listener, jvmOptions, systemProperties, spec, "pool worker", false);
    }

    ChannelListener openListener(long serial, String name) {
        try {
            return ChannelListener.open(runDir, serial);
        } catch (IOException e) {
            throw new MultiprocException("cannot open a channel for " + name + " in " + runDir + ": " + e, e);
        }
    }

    long nextSerial() {
        return serials.incrementAndGet();
    }

    private <T> ChildHandle<T> startJvm(ChannelListener listener, List<String> jvmOptions,
            Map<String, String> systemProperties, ChildSpec spec, String description, boolean oneShot) {
        ProcessBuilder pb = childJvm(listener, jvmOptions, systemProperties, spec, false);
        // a one-shot task child is finished once its TaskChannel has ended too; a worker's channel is its pool's,
        // and a worker is not one of the user's visible children
        return start(pb, spec, true, description, forwardsStderr(spec), oneShot, oneShot);
    }

    /**
     * The process of a child JVM (task child, pool worker or standby): its command line, with the channel arguments
     * last, and its redirects; its stdin is empty, as with Python's multiprocessing.
     */
    private ProcessBuilder childJvm(ChannelListener listener, List<String> jvmOptions,
            Map<String, String> systemProperties, ChildSpec spec, boolean standby) {
        ProcessHandle self = ProcessHandle.current();
        List<String> args = new ArrayList<>(List.of(listener.address(), listener.keyFile().toString(),
                Long.toString(self.pid()), Long.toString(ProcessStart.of(self)), spec.name()));
        if (standby) {
            args.add(ChildMain.STANDBY);
        }
        ProcessBuilder pb = new ProcessBuilder(launch.build(jvmOptions, systemProperties, args));
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

    ChildProcess<Void> startCommand(List<String> command, ChildSpec spec) {
        ProcessBuilder pb = new ProcessBuilder(command);
        applyCommon(pb, spec);
        if (spec.stdin() != null) {
            pb.redirectInput(spec.stdin());
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        }
        return start(pb, spec, false, String.join(" ", command), false, true, false);
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

    private <T> ChildHandle<T> start(ProcessBuilder pb, ChildSpec spec, boolean task, String description,
            boolean forwardStderr, boolean visible, boolean channelPart) {
        Process process = launch(pb, spec, task);
        return register(process, spec, task, description, forwardStderr, visible, channelPart,
                String.join(" ", pb.command()));
    }

    private static Process launch(ProcessBuilder pb, ChildSpec spec, boolean task) {
        try {
            return pb.start();
        } catch (IOException e) {
            String program = pb.command().get(0);
            throw new MultiprocException("cannot start " + (task ? "task child " + spec.name() : "'" + program + "'")
                    + (spec.directory() != null ? " in " + spec.directory() : "") + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes a started process one of this JVM's children: its handle, its record in the state directory (unless
     * {@code recordCommand} is null: recorded already), its output pumps, its exit.
     */
    private <T> ChildHandle<T> register(Process process, ChildSpec spec, boolean task, String description,
            boolean forwardStderr, boolean visible, boolean channelPart, String recordCommand) {
        boolean sinkOut = spec.outputSink() != null && spec.stdout() == null;
        boolean sinkErr = spec.outputSink() != null && spec.stderr() == null;
        OutputPump.Tail tail = forwardStderr || sinkErr ? new OutputPump.Tail() : null;
        int pumps = (sinkOut ? 1 : 0) + (sinkErr || forwardStderr ? 1 : 0);
        // a task's answer may be handed out before the exit unless output lines still go to a sink
        ChildHandle<T> child = new ChildHandle<>(this, serials.incrementAndGet(), process, description, spec, task,
                tail, pumps + (channelPart ? 1 : 0), task && !sinkOut && !sinkErr, forwardStderr, -1);
        track(child, visible);
        if (recordCommand != null) {
            record(child.toHandle(), child.start(), spec, recordCommand);
        }
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
                    child::stderrForwarded, prefix + "-stderr").thenRun(child::partDone);
        }
        process.onExit().thenRun(child::processExited);
        LOG.debug("started {} (pid {}): {}", spec.name(), process.pid(), description);
        return child;
    }

    private void track(ChildHandle<?> child, boolean visible) {
        lock.lock();
        try {
            if (visible) {
                live.add(child);
                unwaited.add(child);
            } else {
                hidden.add(child);
            }
        } finally {
            lock.unlock();
        }
    }

    private void record(ProcessHandle process, long start, ChildSpec spec, String command) {
        try {
            records.add(process, start, spec.name(), command, spec.parentExit());
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot record pid {} in the state directory: {}", spec.name(), process.pid(), e.toString());
        }
    }

    // ---------------------------------------------------------------- standby children

    private static final ChildSpec STANDBY_SPEC = new ChildSpec("standby", null, Map.of(), null, null, null, null,
            ParentExit.TERMINATE, Duration.ZERO);
    /** The arguments after the main class: channel, key file, parent pid and start, name, "standby". */
    private static final int CHANNEL_ARGS = 6;

    /** How long after a child got its task its standby replacement is started, if its result is not back yet. */
    private static final Duration REFILL_DELAY = Duration.ofMillis(200);
    /** How long a fork waits for a standby that is being launched (the launch itself takes a millisecond or two). */
    private static final Duration STANDBY_LAUNCH_WAIT = Duration.ofMillis(100);
    private final Condition standbyAdded = lock.newCondition();
    /** Standby children not yet taken, oldest first; guarded by {@link #lock}. */
    private final Deque<Standby> standbys = new ArrayDeque<>();
    /** Standby children being started; guarded by {@link #lock}. */
    private int standbysStarting;
    /** Set at JVM exit: no more standby children; guarded by {@link #lock}. */
    private boolean exiting;

    /**
     * Whether a task child could run on a standby: nothing about its JVM or process differs from the defaults (a
     * detached child's stderr is not piped to this JVM, so it cannot be one either).
     */
    private static boolean standbyFits(List<String> jvmOptions, Map<String, String> systemProperties,
            ChildSpec spec) {
        return jvmOptions.isEmpty() && systemProperties.isEmpty() && spec.directory() == null
                && spec.environment().isEmpty() && spec.stdin() == null && spec.stdout() == null
                && spec.stderr() == null && spec.outputSink() == null && spec.parentExit() != ParentExit.DETACH;
    }

    /** Hands the task to a standby child if one is there and launched as this fork would be; else null. */
    private <T> ChildHandle<T> startOnStandby(byte[] payload, String taskClass, ChildSpec spec) {
        List<String> key = null;
        while (true) {
            Standby standby = pollStandby();
            if (standby == null) {
                return null;
            }
            if (key == null) {
                key = currentStandbyKey();
            }
            if (!standby.launchKey.equals(key) || !standby.process.isAlive() || !standby.take()) {
                discard(standby); // launched differently (a setting changed since), or gone
                continue;
            }
            // parts: the exit, the channel, the stderr pump
            ChildHandle<T> child = new ChildHandle<>(this, serials.incrementAndGet(), standby.process, taskClass,
                    spec, true, standby.tail, 2, true, true, standby.start);
            track(child, true);
            child.attachChannel(standby.channel);
            standby.adopt(child);
            try {
                standby.channel.assign(child, payload, spec.parentExit() == ParentExit.TERMINATE);
            } catch (IllegalStateException closed) {
                child.channelDone(TaskChannel.Outcome.EMPTY); // it died as it was taken: reported as it ends
            }
            standby.process.onExit().thenRun(child::processExited);
            LOG.debug("{} runs on standby child pid {}", spec.name(), standby.process.pid());
            return child;
        }
    }

    /**
     * The oldest standby; if none is there but one is being launched, waits for it a little: it will be ready
     * sooner than a JVM started now.
     */
    private Standby pollStandby() {
        lock.lock();
        try {
            long nanos = STANDBY_LAUNCH_WAIT.toNanos();
            while (standbys.isEmpty() && standbysStarting > 0 && nanos > 0) {
                nanos = standbyAdded.awaitNanos(nanos);
            }
            return standbys.pollFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The inputs of a standby key, and the key they made: building a command line is slow in cold code. */
    private record KeyCache(List<String> inputs, List<String> key) {
    }

    private volatile KeyCache keyCache;

    /** The key of a standby started now, from the properties that decide it; remade only when one of them changes. */
    private List<String> currentStandbyKey() {
        List<String> inputs = java.util.Arrays.asList(System.getProperty("java.class.path"),
                System.getProperty("jdk.module.path"), System.getProperty("jdk.module.main"),
                System.getProperty("multiproc.jvmOptions"), System.getProperty("multiproc.cds"), Settings.transport());
        KeyCache cache = keyCache;
        if (cache == null || !cache.inputs().equals(inputs)) {
            cache = new KeyCache(inputs, standbyKey(launch.build(List.of(), Map.of(),
                    List.of("", "", "", "", "", "")), Settings.transport()));
            keyCache = cache;
        }
        return cache.key();
    }

    /** What a fork must share with a standby to take it: the JVM's command line and the channel's transport. */
    private static List<String> standbyKey(List<String> command, String transport) {
        List<String> key = new ArrayList<>(command.subList(0, command.size() - CHANNEL_ARGS));
        key.removeIf(ClassDataArchive::isArchiveOption); // the same JVM, only started faster
        key.add(transport);
        return key;
    }

    /** Starts standby children, on a thread of their own, until there are {@code multiproc.standby} of them. */
    private void refillStandbys() {
        int missing;
        lock.lock();
        try {
            missing = exiting ? 0 : Settings.standbyCount() - standbys.size() - standbysStarting;
            if (missing <= 0) {
                return;
            }
            standbysStarting += missing;
        } finally {
            lock.unlock();
        }
        int count = missing;
        Thread t = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                Standby standby = null;
                try {
                    standby = startStandby();
                } catch (RuntimeException e) {
                    LOG.debug("cannot start a standby child: {}", e.toString());
                }
                lock.lock();
                try {
                    if (standby != null) {
                        if (exiting) {
                            discard(standby); // before the exit hook, waiting for this, goes on
                        } else {
                            standbys.addLast(standby);
                        }
                    }
                    standbysStarting--;
                    standbyAdded.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }, "multiproc-standby");
        t.setDaemon(true);
        t.start();
    }

    private Standby startStandby() {
        String transport = Settings.transport();
        ChannelListener listener = openListener(serials.incrementAndGet(), "a standby child");
        ProcessBuilder pb = childJvm(listener, List.of(), Map.of(), STANDBY_SPEC, true);
        List<String> command = pb.command();
        TaskChannel channel = new TaskChannel(listener);
        Process process;
        try {
            process = launch(pb, STANDBY_SPEC, true);
        } catch (MultiprocException e) {
            channel.close();
            throw e;
        }
        Standby standby = new Standby(process, ProcessStart.of(process.toHandle()), channel,
                standbyKey(command, transport));
        record(process.toHandle(), standby.start, STANDBY_SPEC, String.join(" ", command));
        channel.startStandby();
        OutputPump.forward(process.getErrorStream(), parentStderr, OutputPump.nativeCharset(), standby.tail,
                standby::forwarded, "multiproc-standby-stderr").thenRun(standby::pumpEnded);
        process.onExit().thenRun(() -> standbyExited(standby));
        return standby;
    }

    private void discardStandbys() {
        List<Standby> idle;
        lock.lock();
        try {
            if (standbys.isEmpty()) {
                return;
            }
            idle = new ArrayList<>(standbys);
            standbys.clear();
        } finally {
            lock.unlock();
        }
        idle.forEach(this::discard);
    }

    /** Ends a standby that will not be used, and forgets it at once: this JVM may be about to exit. */
    private void discard(Standby standby) {
        if (standby.discard()) {
            records.remove(standby.process.toHandle(), standby.start);
        }
    }

    /** A standby that ended without being taken leaves nothing behind. */
    private void standbyExited(Standby standby) {
        lock.lock();
        try {
            standbys.remove(standby);
        } finally {
            lock.unlock();
        }
        if (standby.exitedUntaken()) {
            standby.channel.close();
            records.remove(standby.process.toHandle(), standby.start);
        }
    }

    /** Whether this JVM's exit hook has begun: no new child should start. */
    boolean exiting() {
        lock.lock();
        try {
            return exiting;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- bookkeeping

    void finished(ChildHandle<?> child) {
        records.remove(child.toHandle(), child.start());
        lock.lock();
        try {
            live.remove(child);
            hidden.remove(child);
            ended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void collected(ChildHandle<?> child) {
        lock.lock();
        try {
            unwaited.remove(child);
        } finally {
            lock.unlock();
        }
    }

    List<ChildHandle<?>> active() {
        lock.lock();
        try {
            return live.stream().sorted(Comparator.comparingLong(ChildHandle::serial)).collect(Collectors.toList());
        } finally {
            lock.unlock();
        }
    }

    Optional<ChildProcess<?>> waitAny(Duration timeout) throws InterruptedException {
        long nanos = timeout == null ? Long.MAX_VALUE : Math.max(0, timeout.toNanos());
        lock.lockInterruptibly();
        try {
            while (true) {
                if (unwaited.isEmpty()) {
                    throw new IllegalStateException(
                            "no child to wait for: every child this JVM started has been waited for already");
                }
                for (ChildHandle<?> child : unwaited) {
                    if (child.ended()) {
                        unwaited.remove(child);
                        return Optional.of(child);
                    }
                }
                if (timeout == null) {
                    ended.await();
                } else {
                    if (nanos <= 0) {
                        return Optional.empty();
                    }
                    nanos = ended.awaitNanos(nanos);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    int reapOrphans() {
        List<ProcessHandle> orphans = records.orphans();
        Duration grace = Settings.terminateGrace();
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle orphan : orphans) {
            LOG.warn("ending orphan {} ({}) and its descendants", orphan.pid(),
                    orphan.info().commandLine().orElse("?"));
            all.addAll(ProcessTree.terminate(orphan, grace, () -> { }));
        }
        try {
            ProcessTree.awaitGone(all, grace.plusSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle orphan : orphans) {
            records.forget(orphan);
        }
        return orphans.size();
    }

    // ---------------------------------------------------------------- JVM exit

    private void onJvmExit() {
        lock.lock();
        try {
            exiting = true; // from now on a standby that finishes launching is discarded, not kept
            // one being launched right now is ended too, not left to find its parent gone
            long nanos = STANDBY_LAUNCH_WAIT.toNanos() * 20;
            while (standbysStarting > 0 && nanos > 0) {
                nanos = standbyAdded.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        discardStandbys();
        archive.close();
        List<ChildHandle<?>> children = active();
        lock.lock();
        try {
            children.addAll(hidden);
        } finally {
            lock.unlock();
        }
        List<ChildHandle<?>> terminated = new ArrayList<>();
        for (ChildHandle<?> child : children) {
            if (child.spec().parentExit() == ParentExit.TERMINATE) {
                child.terminate();
                terminated.add(child);
            }
        }
        for (ChildHandle<?> child : children) {
            if (child.spec().parentExit() == ParentExit.DETACH) {
                // start() has returned, so the task must run even if this JVM exits before the child is up
                try {
                    child.taskDelivered().get(DETACH_HANDOVER.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    LOG.warn("{} (pid {}) did not take its task within {}; it will not run it", child.name(),
                            child.pid(), DETACH_HANDOVER);
                }
            }
        }
        for (ChildHandle<?> child : children) {
            if (child.spec().parentExit() == ParentExit.WAIT) {
                try {
                    child.onExit().join();
                } catch (RuntimeException e) {
                    LOG.debug("waiting for {}", child.name(), e);
                }
            }
        }
        Duration longest = terminated.stream().map(c -> c.spec().terminateGrace()).max(Comparator.naturalOrder())
                .orElse(Duration.ZERO).plusMillis(500);
        CompletableFuture<?>[] exits = terminated.stream().map(ChildHandle::onExit)
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(longest.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debug("not every child ended in time at exit", e);
        }
        deleteTree(runDir);
    }

    private void removeStaleRunDirectories(Path stateDir) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(stateDir, "run-*")) {
            for (Path dir : dirs) {
                String[] parts = dir.getFileName().toString().split("-");
                if (parts.length == 3 && !dir.equals(runDir)) {
                    try {
                        long pid = Long.parseLong(parts[1]);
                        long start = Long.parseLong(parts[2]);
                        if (ChildRecords.alive(pid, start).isEmpty()) {
                            deleteTree(dir);
                        }
                    } catch (NumberFormatException e) {
                        // not one of ours
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}", stateDir, e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the next JVM's clean-up
                }
            });
        } catch (IOException e) {
            LOG.debug("cannot delete {}", dir, e);
        }
    }
}
