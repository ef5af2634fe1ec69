package io.github.multiproc.internal.runtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The library's one timer thread, {@code multiproc-timer}, a daemon: SIGKILL after a grace period, the deadline of a
 * channel's handshake, a pool's task-timeout checks, the linger of a child whose pipes stay open. It runs only the
 * library's own short duties, never user code.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class LibraryTimer {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "multiproc-timer");
        t.setDaemon(true);
        return t;
    });

    private LibraryTimer() {
    }

    /**
     * Returns the timer.
     *
     * @return the one scheduler of this JVM's library
     */
    public static ScheduledExecutorService get() {
        return TIMER;
    }
}
