package io.github.multiproc.internal.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What a driver sends a node: a batch of encoded tasks, which the node spreads over its workers and answers together.
 * Runs on the node's executor thread, which it holds until the batch is done.
 */
final class NodeCall implements Callable<NodeReply>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;

    private final String pool;
    private final long batch;
    private final ArrayList<byte[]> parts;
    /** Which parts are lambdas that capture nothing (see {@link io.github.multiproc.internal.task.EncodedCall}). */
    private final java.util.BitSet reusable;
    private final long timeoutMillis;
    private transient HazelcastInstance hazelcast;

    NodeCall(String pool, long batch, List<byte[]> parts, java.util.BitSet reusable, long timeoutMillis) {
        this.pool = pool;
        this.batch = batch;
        this.parts = new ArrayList<>(parts);
        this.reusable = reusable;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.hazelcast = hazelcastInstance;
    }

    @Override
    public NodeReply call() throws InterruptedException {
        return NodeRuntime.of(hazelcast).run(pool, batch, parts, reusable, timeoutMillis);
    }
}
