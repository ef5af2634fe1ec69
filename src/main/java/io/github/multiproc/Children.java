package io.github.multiproc;

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
import java.util.Comparator;
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
        this.launch = new LaunchCommand(runDir);
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
        return child;
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
        ProcessHandle self = ProcessHandle.current();
        List<String> command = launch.build(jvmOptions, systemProperties, List.of(listener.address(),
                listener.keyFile().toString(), Long.toString(self.pid()),
                Long.toString(ProcessStart.of(self)), spec.name()));
        ProcessBuilder pb = new ProcessBuilder(command);
        applyCommon(pb, spec);
        // A task child's stdin is empty, as with Python's multiprocessing.
        pb.redirectInput(ProcessBuilder.Redirect.from(new File(Settings.isWindows() ? "NUL" : "/dev/null")));
        boolean forwardStderr = spec.stderr() == null && spec.outputSink() == null
                && spec.parentExit() != ParentExit.DETACH;
        if (forwardStderr) {
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
        }
        // a one-shot task child is finished once its TaskChannel has ended too; a worker's channel is its pool's,
        // and a worker is not one of the user's visible children
        return start(pb, spec, true, description, forwardStderr, oneShot, oneShot);
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
        boolean sinkOut = spec.outputSink() != null && spec.stdout() == null;
        boolean sinkErr = spec.outputSink() != null && spec.stderr() == null;
        OutputPump.Tail tail = forwardStderr || sinkErr ? new OutputPump.Tail() : null;
        int pumps = (sinkOut ? 1 : 0) + (sinkErr || forwardStderr ? 1 : 0);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            String program = pb.command().get(0);
            throw new MultiprocException("cannot start " + (task ? "task child " + spec.name() : "'" + program + "'")
                    + (spec.directory() != null ? " in " + spec.directory() : "") + ": " + e.getMessage(), e);
        }
        ChildHandle<T> child = new ChildHandle<>(this, serials.incrementAndGet(), process, description, spec, task,
                tail, pumps + (channelPart ? 1 : 0));
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
        try {
            records.add(child.toHandle(), child.start(), spec.name(), String.join(" ", pb.command()),
                    spec.parentExit());
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot record pid {} in the state directory: {}", spec.name(), process.pid(), e.toString());
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
                    prefix + "-stderr").thenRun(child::partDone);
        }
        process.onExit().thenRun(child::processExited);
        LOG.debug("started {} (pid {}): {}", spec.name(), process.pid(), description);
        return child;
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
