package io.github.multiproc.internal.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * What a driver sends a node to end tasks it runs: one task of a batch ({@code cancel(true)} on its future), or
 * every task of a pool ({@code terminate()}). Answers whether every task named was taken back.
 */
final class CancelCall implements Callable<Boolean>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;
    /** For {@code batch}: every batch of the pool. */
    static final long ALL = -1;

    private final String pool;
    private final long batch;
    private final int part;
    private transient HazelcastInstance hazelcast;

    CancelCall(String pool, long batch, int part) {
        this.pool = pool;
        this.batch = batch;
        this.part = part;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcastInstance) {
        this.hazelcast = hazelcastInstance;
    }

    @Override
    public Boolean call() throws InterruptedException {
        return NodeRuntime.of(hazelcast).cancel(pool, batch, part);
    }
}
