package io.github.multiproc.internal.spawn;

import io.github.multiproc.ParentExit;
import io.github.multiproc.internal.cds.ClassDataArchive;
import io.github.multiproc.internal.reap.StateDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this JVM's shutdown hook ({@code multiproc-exit}) does: no more standby children or archive training, then
 * each child's {@link ParentExit} policy (TERMINATE ends it, DETACH waits until it has its task, WAIT waits for its
 * exit), and finally the run directory is deleted.
 *
 * <p>Thread safety: runs once, on the hook's thread.
 */
final class ExitHook implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ExitHook.class);
    /** How long this JVM's exit waits for a detached task child to connect and take its task. */
    private static final Duration DETACH_HANDOVER = Duration.ofSeconds(10);

    private final ChildRegistry registry;
    private final Standbys standbys;
    private final ClassDataArchive archive;
    private final Path runDir;

    ExitHook(ChildRegistry registry, Standbys standbys, ClassDataArchive archive, Path runDir) {
        this.registry = registry;
        this.standbys = standbys;
        this.archive = archive;
        this.runDir = runDir;
    }

    @Override
    public void run() {
        standbys.beginExit();
        archive.close();
        List<ChildHandle<?>> children = registry.activeAndWorkers();
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
                while (!child.awaitFinished(Duration.ofSeconds(1))) {
                    // a WAIT child is waited for as long as it runs, as Python waits for non-daemon processes
                    LOG.debug("waiting for {} (pid {})", child.name(), child.pid());
                }
            }
        }
        Duration longest = terminated.stream().map(c -> c.spec().terminateGrace()).max(Comparator.naturalOrder())
                .orElse(Duration.ZERO).plusMillis(500);
        CompletableFuture<?>[] exits = terminated.stream().map(ChildHandle::finished)
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(longest.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debug("not every child ended in time at exit", e);
        }
        StateDirectory.deleteTree(runDir);
    }
}
