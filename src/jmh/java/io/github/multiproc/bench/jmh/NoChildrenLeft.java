package io.github.multiproc.bench.jmh;

import java.util.List;
import java.util.stream.Collectors;

/** The check that ends each trial that starts processes: none of them may outlive it. */
final class NoChildrenLeft {
    private NoChildrenLeft() {
    }

    /**
     * Waits a little for this JVM's descendants to exit, then fails the trial if any is still alive.
     *
     * @param what the benchmark, for the message
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if a descendant is still running after five seconds
     */
    static void check(String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<ProcessHandle> alive;
        do {
            alive = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).collect(Collectors.toList());
            if (alive.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException(what + " left processes running: " + alive.stream()
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).collect(Collectors.joining("; ")));
    }
}
