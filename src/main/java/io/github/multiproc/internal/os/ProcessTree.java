package io.github.multiproc.internal.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends a process together with its descendants: SIGTERM to every process of the tree, then SIGKILL to those still
 * alive once the grace period is over.
 *
 * <p>A process whose parent dies is re-parented and no longer shows as a descendant, so the whole tree is listed
 * before the first signal, and its direct children are listed again right before the root is signalled. On Linux the
 * direct children are read from {@code /proc/<pid>/task/<tid>/children}, which takes microseconds where a full
 * process scan takes milliseconds: a
 * child forked in that remaining window, by a root that dies at once, can still escape (see the README's
 * "Limitations").
 *
 * <p>Thread safety: stateless.
 */
public final class ProcessTree {
    private static final boolean PROC_CHILDREN = Files.isReadable(Path.of("/proc/self/task"));

    private ProcessTree() {
    }

    /**
     * Sends SIGTERM ({@code force} false) or SIGKILL to the root and its descendants, the descendants first.
     *
     * @return every process that was signalled
     */
    public static List<ProcessHandle> signal(ProcessHandle root, boolean force) {
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        tree.put(root.pid(), root);
        root.descendants().forEach(h -> tree.put(h.pid(), h));
        // whatever was forked during that slow scan, read fast, right before the root is signalled
        for (int round = 0; round < 4; round++) {
            boolean grew = false;
            for (ProcessHandle h : fastChildren(new ArrayList<>(tree.values()))) {
                grew |= tree.putIfAbsent(h.pid(), h) == null;
            }
            if (!grew) {
                break;
            }
        }
        // the root first, so that its status tells it was signalled; the others are held by handle
        Map<Long, ProcessHandle> signalled = new LinkedHashMap<>();
        send(new ArrayList<>(tree.values()), signalled, force);
        send(fastChildren(new ArrayList<>(signalled.values())), signalled, force);
        return new ArrayList<>(signalled.values());
    }

    private static int send(List<ProcessHandle> processes, Map<Long, ProcessHandle> signalled, boolean force) {
        int sent = 0;
        for (ProcessHandle h : processes) {
            if (signalled.putIfAbsent(h.pid(), h) == null) {
                if (force) {
                    h.destroyForcibly();
                } else {
                    h.destroy();
                }
                sent++;
            }
        }
        return sent;
    }

    /** The direct children of the live processes in {@code known}. */
    private static List<ProcessHandle> fastChildren(List<ProcessHandle> known) {
        List<ProcessHandle> children = new ArrayList<>();
        for (ProcessHandle h : known) {
            if (PROC_CHILDREN) {
                addChildren(h.pid(), children);
            } else if (h.isAlive()) {
                h.children().forEach(children::add);
            }
        }
        return children;
    }

    private static void addChildren(long pid, List<ProcessHandle> into) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String list = Files.readString(task.resolve("children")).trim();
                if (!list.isEmpty()) {
                    for (String child : list.split("\\s+")) {
                        ProcessHandle.of(Long.parseLong(child)).ifPresent(into::add);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone, or the kernel does not offer the file: nothing to add
        }
    }

    /**
     * Sends SIGTERM to the tree now and SIGKILL to what is left of it after {@code grace}.
     *
     * @param root the process
     * @param grace how long to wait before SIGKILL
     * @param timer where SIGKILL is scheduled; it runs {@code beforeKill} too
     * @param beforeKill runs before SIGKILL is sent, if anything of the tree is still alive then
     * @return the processes of the tree that were signalled
     */
    public static List<ProcessHandle> terminate(ProcessHandle root, Duration grace, ScheduledExecutorService timer,
            Runnable beforeKill) {
        List<ProcessHandle> tree = signal(root, false);
        Runnable escalate = () -> {
            if (tree.stream().anyMatch(ProcessHandle::isAlive)) {
                beforeKill.run();
                for (ProcessHandle h : tree) {
                    if (h.isAlive()) {
                        signal(h, true);
                    }
                }
            }
        };
        if (grace.isZero()) {
            escalate.run();
        } else {
            timer.schedule(escalate, grace.toNanos(), TimeUnit.NANOSECONDS);
        }
        return tree;
    }

    /**
     * Waits until none of {@code processes} runs or {@code timeout} has passed; returns whether all ended. A zombie
     * has ended: a process whose parent died is re-parented to an init that may never reap it.
     */
    public static boolean awaitGone(List<ProcessHandle> processes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (processes.stream().anyMatch(ProcessStart::running)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(pause); // polling a process that is not our child: the OS offers no event for it
            pause = Math.min(pause * 2, 50);
        }
        return true;
    }
}
