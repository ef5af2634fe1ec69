package io.github.multiproc.testing;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.Fork;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Test classes share one JVM, and {@link Fork#waitAny()} sees every child this JVM started. Tests that count on
 * {@code waitAny} first end and drain the children earlier tests left behind; every test class drains after itself.
 */
public final class LeftoverChildren {
    private LeftoverChildren() {
    }

    /**
     * Kills every live child of this JVM, then returns each ended child from {@link Fork#waitAny(Duration)} until it
     * reports none left.
     *
     * @throws AssertionError if a child does not end after being killed
     */
    public static void endAndDrain() throws InterruptedException {
        for (ChildProcess<?> child : Fork.activeChildren()) {
            child.kill();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<ChildProcess<?>> ended;
            try {
                ended = Fork.waitAny(Duration.ofSeconds(10));
            } catch (IllegalStateException noneLeft) {
                return;
            }
            if (ended.isEmpty()) {
                List<ChildProcess<?>> live = Fork.activeChildren();
                throw new AssertionError("children of earlier tests still running after kill(): " + live);
            }
        }
        throw new AssertionError("Fork.waitAny kept returning children for 30 s");
    }
}
