package io.github.multiproc.internal.spawn;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The thread {@code multiproc-callbacks}, a daemon, on which the futures that users hold ({@code ChildProcess.future()}
 * and {@code onExit()}) are completed: their dependent actions run there, one at a time. A slow or blocked callback
 * delays other children's callbacks, never the library's own threads (its timer, the JDK's process reaper, a
 * channel's or an output pump's thread).
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class UserCallbacks {
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "multiproc-callbacks");
        t.setDaemon(true);
        return t;
    });

    private UserCallbacks() {
    }

    /** Runs {@code completion} (which completes a user's future) on the callbacks thread. */
    static void run(Runnable completion) {
        THREAD.execute(completion);
    }
}
