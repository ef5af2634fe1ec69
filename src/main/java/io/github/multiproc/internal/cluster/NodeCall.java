package io.github.multiproc.internal.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * What a driver sends a node: a batch of encoded tasks ({@link BatchCodec}), which the node spreads over its workers
 * and answers together, as one byte array. Runs on the node's executor thread, which it holds until the batch is done.
 */
final class NodeCall implements Callable<byte[]>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 2L;

    private final String pool;
    private final long batch;
    /** The tasks, as {@code BatchCodec.tasks(List)} wrote them. */
    private final byte[] tasks;
    private final long timeoutMillis;
    private transient HazelcastInstance hazelcast;

    NodeCall(String pool, long batch, byte[] tasks, long timeoutMillis) {
        this.pool = pool;
        this.batch = batch;
        this.tasks = tasks;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.hazelcast = hazelcastInstance;
    }

    @Override
    public byte[] call() throws Exception {
        return BatchCodec.reply(NodeRuntime.of(hazelcast).run(pool, batch, BatchCodec.tasks(tasks), timeoutMillis));
    }
}
