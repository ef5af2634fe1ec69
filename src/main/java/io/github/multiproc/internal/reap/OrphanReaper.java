package io.github.multiproc.internal.reap;

import io.github.multiproc.internal.os.ProcessTree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and ends orphans: processes recorded in the state directory that are still alive although the JVM that
 * started them is gone ({@code Fork.orphans()}, {@code Fork.reapOrphans()}).
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class OrphanReaper {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanReaper.class);

    private final ChildRecords records;

    /**
     * Creates the reaper of {@code records}.
     *
     * @param records the state directory's records
     */
    public OrphanReaper(ChildRecords records) {
        this.records = records;
    }

    /**
     * Returns the live recorded processes whose owner is gone; deletes the records of processes that have ended.
     *
     * @return the orphans
     */
    public List<ProcessHandle> orphans() {
        return records.orphans().stream().map(ChildRecords.Orphan::process).collect(Collectors.toList());
    }

    /**
     * Ends every orphan with its descendants (SIGTERM, then SIGKILL after {@code grace}) and waits until they are
     * gone or the grace period (and one second more) has run out. Only the records of the orphans that ended are
     * deleted: one that was not ended (it may not be signalled by this user) is listed again next time.
     *
     * @param grace how long to wait before SIGKILL
     * @param timer where SIGKILL is scheduled
     * @return how many orphans were ended
     */
    public int reapOrphans(Duration grace, ScheduledExecutorService timer) {
        List<ChildRecords.Orphan> orphans = records.orphans();
        List<ProcessHandle> all = new ArrayList<>();
        for (ChildRecords.Orphan orphan : orphans) {
            LOG.warn("ending orphan {} ({}) and its descendants", orphan.process().pid(),
                    orphan.process().info().commandLine().orElse("?"));
            all.addAll(ProcessTree.terminate(orphan.process(), grace, timer, () -> { }));
        }
        try {
            ProcessTree.awaitGone(all, grace.plusSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int ended = 0;
        for (ChildRecords.Orphan orphan : orphans) {
            if (records.forgetIfEnded(orphan)) {
                ended++;
            } else {
                LOG.warn("orphan {} ({}) did not end within {} after SIGTERM and SIGKILL (may this user signal it?);"
                        + " its record is kept", orphan.process().pid(), orphan.entry().command(),
                        grace.plusSeconds(1));
            }
        }
        return ended;
    }
}
