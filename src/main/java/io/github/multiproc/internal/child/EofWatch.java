package io.github.multiproc.internal.child;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

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
    /** Counted down once the watch has left its read: the channel ended, or failed. */
    private final CountDownLatch ended = new CountDownLatch(1);

    void start() {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                watchUntilEnd();
            }
        }, "multiproc-parent-eof");
        t.setDaemon(true);
        t.start();
    }

    void watch(TaskLoop main) {
        child.complete(main);
    }

    /**
     * Waits until the watch has read the end of the channel.
     *
     * @param millis how long at most
     * @return whether it has; false if the time ran out (or this thread was interrupted)
     */
    boolean awaitEnd(long millis) {
        try {
            return ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
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
        ended.countDown();
        if (!main.finishing()) {
            ChildMain.parentLost("channel closed");
        }
    }
}
