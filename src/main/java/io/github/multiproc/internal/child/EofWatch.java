package io.github.multiproc.internal.child;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The thread that reads a one-shot child's channel while its task runs, to notice a lost parent at once. It is
 * started before the channel is up, so that starting a thread is not on the way from the task's arrival to its
 * answer, and waits until it is given the channel.
 *
 * <p>Thread safety: {@link #start()} once, then {@link #watch} once, from any thread; {@link #awaitEnd} from any
 * thread.
 */
final class EofWatch {
    private final CompletableFuture<TaskLoop> child = new CompletableFuture<>();
    private volatile Thread thread;

    void start() {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                watchUntilEnd();
            }
        }, "multiproc-parent-eof");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void watch(TaskLoop main) {
        child.complete(main);
    }

    /**
     * Waits until the watch has read the end of the channel and ended.
     *
     * @param millis how long at most
     * @return whether it has; false if the time ran out (or this thread was interrupted)
     */
    boolean awaitEnd(long millis) {
        Thread t = thread;
        return t != null && hasEnded(t, millis);
    }

    /** Waits until {@code t} has ended; false if it has not within {@code millis} (or this thread was interrupted). */
    static boolean hasEnded(Thread t, long millis) {
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    private void watchUntilEnd() {
        TaskLoop main;
        try {
            main = child.get();
        } catch (InterruptedException | ExecutionException e) {
            return;
        }
        try {
            while (main.channel().io.read() != null) {
                // nothing else is expected
            }
        } catch (IOException ignored) {
            // the same as the end of the channel
        }
        if (!main.finishing()) {
            ChildMain.parentLost("channel closed");
        }
    }
}
