package io.github.multiproc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Ends a process together with its descendants: SIGTERM to every process of the tree, then SIGKILL to those still
 * alive once the grace period is over. The tree is read before the first signal, because a process whose parent
 * dies is re-parented and no longer shows as a descendant.
 *
 * <p>Thread safety: stateless; the shared timer thread is a daemon.
 */
final class ProcessTree {
    /** Runs the SIGKILL escalations and other short timed duties; never user code. */
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "multiproc-timer");
        t.setDaemon(true);
        return t;
    });

    private ProcessTree() {
    }

    /** The process and all its descendants, the root first. */
    static List<ProcessHandle> snapshot(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        return tree;
    }

    /**
     * Sends SIGTERM to the tree now and SIGKILL to what is left of it after {@code grace}.
     *
     * @return the processes of the tree as they were when SIGTERM was sent
     */
    static List<ProcessHandle> terminate(ProcessHandle root, Duration grace) {
        List<ProcessHandle> tree = snapshot(root);
        for (ProcessHandle h : tree) {
            h.destroy();
        }
        if (grace.isZero()) {
            kill(tree);
        } else {
            TIMER.schedule(() -> kill(tree), grace.toNanos(), TimeUnit.NANOSECONDS);
        }
        return tree;
    }

    /** Waits until none of {@code processes} is alive or {@code timeout} has passed; returns whether all ended. */
    static boolean awaitGone(List<ProcessHandle> processes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (processes.stream().anyMatch(ProcessHandle::isAlive)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(pause); // polling a process that is not our child: the OS offers no event for it
            pause = Math.min(pause * 2, 50);
        }
        return true;
    }

    /** Sends SIGKILL to the tree now. */
    static void kill(ProcessHandle root) {
        kill(snapshot(root));
    }

    static void kill(List<ProcessHandle> tree) {
        List<ProcessHandle> all = new ArrayList<>(tree);
        for (ProcessHandle h : tree) {
            if (h.isAlive()) {
                // children forked since the snapshot
                all.addAll(h.descendants().collect(Collectors.toList()));
            }
        }
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }
}
