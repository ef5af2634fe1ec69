package io.github.multiproc.internal.cluster;

import io.github.multiproc.ChildCrashedException;
import io.github.multiproc.ChildFailedException;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.TaskTimeoutException;
import io.github.multiproc.cluster.NodeLostException;
import io.github.multiproc.internal.task.EncodedCall;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns what nodes answer into the values and exceptions a local pool gives, with the node's address added, and
 * completes the futures users hold, on the pool's one results thread (never on a Hazelcast thread).
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class Outcomes {
    private final String name;
    private final ExecutorService results;
    final LongAdder submitted = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder cancelled = new LongAdder();

    Outcomes(String name) {
        this.name = name;
        this.results = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + "-results");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs what it is given on the results thread; what comes after the pool has ended is dropped. */
    java.util.concurrent.Executor executor() {
        return command -> {
            try {
                results.execute(command);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the pool has ended: every part was settled before, an answer that comes now has nobody to tell
            }
        };
    }

    /** A node's result for a part this thread has settled: decoded and published; on the results thread. */
    void publish(Part p, PartResult r, String node) {
        try {
            decode(p, r, node);
        } catch (RuntimeException | Error e) {
            fail(p, new MultiprocException(name + ": cannot read the answer to task " + p.description()
                    + " from node " + node + ": " + e, e));
        }
    }

    private void decode(Part p, PartResult r, String node) {
        if (r.plain()) {
            completed.increment();
            p.future.complete(r.value());
            return;
        }
        if (r.failure() != null) {
            RuntimeException f = r.failure();
            if (f instanceof CancellationException) {
                cancelledNow(p);
            } else {
                fail(p, relabel(f, node));
            }
            return;
        }
        EncodedCall.Outcome o = EncodedCall.Outcome.of(r.outcome());
        Object payload;
        try {
            payload = o.read();
        } catch (IOException | ClassNotFoundException e) {
            fail(p, new MultiprocException(name + ": cannot read the answer to task " + p.description() + " from node "
                    + node + ": " + e, e));
            return;
        }
        switch (o.kind()) {
            case EncodedCall.VALUE:
                completed.increment();
                p.future.complete(payload);
                return;
            case EncodedCall.FAILED:
                Throwable t = (Throwable) payload;
                fail(p, new ChildFailedException(name + ": task " + p.description() + " failed on node " + node
                        + " (worker pid " + o.pid() + "): " + t, t));
                return;
            case EncodedCall.UNSENDABLE:
                fail(p, new ChildFailedException(name + ": task " + p.description() + " on node " + node + ": "
                        + payload, new NotSerializableException(String.valueOf(payload))));
                return;
            default:
                fail(p, new MultiprocException(name + ": node " + node + " cannot run task " + p.description() + ": "
                        + payload + " (task classes must be on every node's class path)"));
        }
    }

    /** The node's own exception for a task, with the node named: of the same class as a local pool's. */
    private static RuntimeException relabel(RuntimeException f, String node) {
        String m = f.getMessage() + " [on node " + node + "]";
        if (f instanceof ChildCrashedException) {
            ChildCrashedException c = (ChildCrashedException) f;
            return new ChildCrashedException(m, c.pid(), c.exitStatus(), c.stderrTail());
        }
        if (f instanceof TaskTimeoutException) {
            return new TaskTimeoutException(m, ((TaskTimeoutException) f).timeout());
        }
        return new MultiprocException(m, f);
    }

    /** The part's node left before it answered. */
    void nodeLost(Part p, String node, String why) {
        if (p.settle()) {
            results.execute(() -> fail(p, new NodeLostException(name + ": node " + node + " " + why
                    + " before task " + p.description() + " finished", node)));
        }
    }

    /** The part will not run: its future is cancelled (by the caller, or by terminate). */
    boolean cancelled(Part p) {
        if (!p.settle()) {
            return false;
        }
        cancelledNow(p);
        return true;
    }

    private void cancelledNow(Part p) {
        cancelled.increment();
        p.future.completeCancelled();
    }

    private void fail(Part p, Throwable t) {
        failed.increment();
        p.future.completeExceptionally(t);
    }

    /** Ends the results thread once what it was given has run. */
    void shutdown() {
        results.shutdown();
    }
}
