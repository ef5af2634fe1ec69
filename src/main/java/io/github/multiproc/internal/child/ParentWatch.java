package io.github.multiproc.internal.child;

import io.github.multiproc.internal.os.ProcessStart;
import java.util.Optional;

/**
 * Polls the parent's pid and start instant; notices a lost parent even if the channel stays open.
 *
 * <p>Thread safety: started once; its thread is its own.
 */
final class ParentWatch {
    private static final long WATCH_PERIOD_MS = 100;

    private final long parentPid;
    private final long parentStart;

    ParentWatch(long parentPid, long parentStart) {
        this.parentPid = parentPid;
        this.parentStart = parentStart;
    }

    void start() {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                // off the main thread: reading the parent's start instant costs a few milliseconds
                if (!parentStarted()) {
                    ChildMain.parentLost("parent gone");
                }
                while (true) {
                    try {
                        Thread.sleep(WATCH_PERIOD_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (ChildMain.haltsOnParentLoss() && !parentAlive()) {
                        ChildMain.parentLost("parent gone");
                    }
                }
            }
        }, "multiproc-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    /** Cheap, for every poll: a child whose parent dies is re-parented, so its parent pid changes. */
    boolean parentAlive() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        return parent.isEmpty() ? parentStarted() : parent.get().pid() == parentPid;
    }

    /** The parent's pid names a live process that started when the parent did (not a reused pid). */
    boolean parentStarted() {
        Optional<ProcessHandle> handle = ProcessHandle.of(parentPid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        long start = ProcessStart.of(handle.get());
        return start == 0 || parentStart <= 0 || start == parentStart;
    }
}
