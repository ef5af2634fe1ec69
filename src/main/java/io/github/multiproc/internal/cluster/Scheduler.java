package io.github.multiproc.internal.cluster;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver's scheduler: tasks wait in its queue and are dealt, in batches, to the node with the most room (its free
 * worker slots plus as many sent ahead), over {@code submitToMember} (a partition-routed submit would be re-run by
 * Hazelcast when a member leaves, so a task could run twice). A node that leaves fails what it held with
 * {@link io.github.multiproc.cluster.NodeLostException}, or has it dealt again, up to the retry limit.
 *
 * <p>Thread safety: all mutable state is guarded by {@link #lock}; Hazelcast's callbacks only hand over, and the
 * futures users hold complete on {@link Outcomes}' results thread.
 */
final class Scheduler implements InitialMembershipListener {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** How long a cancel or terminate waits for a node's word. */
    static final long CANCEL_WAIT_MILLIS = 2000;

    private final String pool;
    private final String name;
    private final IExecutorService executor;
    private final long timeoutMillis;
    private final int retries;
    final Outcomes outcomes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // ---- guarded by lock
    private final ArrayDeque<Part> queue = new ArrayDeque<>();
    private final Map<UUID, NodeSlot> nodes = new LinkedHashMap<>();
    private long batches;
    private int inFlight;
    private boolean draining;
    private boolean stopped;

    Scheduler(String pool, String name, HazelcastInstance hazelcast, long timeoutMillis, int retries) {
        this.pool = pool;
        this.name = name;
        this.executor = hazelcast.getExecutorService(HazelcastConfigs.EXECUTOR);
        this.timeoutMillis = timeoutMillis;
        this.retries = retries;
        this.outcomes = new Outcomes(name);
    }

    // ------------------------------------------------------------------ nodes

    @Override
    public void init(InitialMembershipEvent event) {
        event.getMembers().forEach(this::added);
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        added(event.getMember());
    }

    private void added(Member m) {
        String workers = m.getAttribute(HazelcastConfigs.WORKERS_ATTRIBUTE);
        if (workers == null || m.isLiteMember()) {
            return; // a member that is not a node (the application's own, say)
        }
        lock.lock();
        try {
            nodes.put(m.getUuid(), new NodeSlot(m, Integer.parseInt(workers)));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.debug("{}: node {} joined", name, NodeRuntime.addressOf(m.getAddress()));
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        lock.lock();
        try {
            NodeSlot node = nodes.remove(event.getMember().getUuid());
            if (node == null) {
                return;
            }
            LOG.info("{}: node {} left with {} tasks in flight", name, node.address, node.inFlight);
            for (Batch b : new ArrayList<>(node.batches)) {
                ended(b);
                b.parts().forEach(p -> lost(p, node, "left the cluster"));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The addresses of the nodes taking tasks now. */
    List<String> nodes() {
        lock.lock();
        try {
            List<String> list = new ArrayList<>();
            nodes.values().stream().filter(n -> n.accepting).forEach(n -> list.add(n.address));
            return list;
        } finally {
            lock.unlock();
        }
    }

    /** The worker slots of the nodes taking tasks now. */
    int workers() {
        lock.lock();
        try {
            return nodes.values().stream().filter(n -> n.accepting).mapToInt(n -> n.workers).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a node is there; false after {@code millis}. */
    boolean awaitNode(long millis) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (nodes.values().stream().noneMatch(n -> n.accepting)) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ dealing

    void enqueue(Part p) {
        lock.lock();
        try {
            if (stopped || draining) {
                throw new RejectedExecutionException(name + " is " + (stopped ? "terminated" : "shut down")
                        + "; no new tasks");
            }
            queue.add(p);
            if (queue.size() == 1) {
                changed.signalAll(); // the loop waits for tasks only on an empty queue: one wake-up, not one a task
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The dealing loop, on the pool's scheduler thread.
     *
     * @return true once drained after a shutdown; false once stopped (whoever stopped it finishes the job)
     */
    boolean run() {
        while (true) {
            Batch batch;
            lock.lock();
            try {
                while (!stopped && !(draining && queue.isEmpty() && inFlight == 0)
                        && (queue.isEmpty() || leastLoaded() == null)) {
                    // also wakes up to see a paused node's pause end; an interrupt is not its way to stop
                    try {
                        changed.await(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        LOG.debug("{}: scheduler interrupted; stop() or a drain ends it", name);
                    }
                }
                if (stopped || queue.isEmpty()) {
                    return !stopped;
                }
                batch = take(leastLoaded());
            } finally {
                lock.unlock();
            }
            send(batch);
        }
    }

    /**
     * The node to deal to: of those with room, the least loaded (fewest tasks held per worker), then the one with
     * the most room. Not the most room first: a node whose tasks were short may hold 256 a worker where one whose
     * tasks were long holds 2, and would be dealt all of a short queue while the others idle.
     */
    private NodeSlot leastLoaded() {
        NodeSlot best = null;
        for (NodeSlot n : nodes.values()) {
            int room = n.room();
            if (room <= 0) {
                continue;
            }
            if (best == null) {
                best = n;
                continue;
            }
            long load = (long) n.inFlight * best.workers;
            long bestLoad = (long) best.inFlight * n.workers;
            if (load < bestLoad || load == bestLoad && room > best.room()) {
                best = n;
            }
        }
        return best;
    }

    /**
     * A batch for {@code node}: at most its room and its workers, and a fair share of a short queue among the nodes
     * that take work, full or not: a node whose room is used up for the moment gets its share once it has room again,
     * rather than the node dealt first getting all of a short queue.
     */
    private Batch take(NodeSlot node) {
        long open = Math.max(1, nodes.values().stream().filter(NodeSlot::takesWork).count());
        int share = (int) Math.max(1, (queue.size() + open - 1) / open);
        int n = Math.min(Math.min(node.room(), Math.max(node.workers, node.limit() / 2)), share);
        List<Part> parts = new ArrayList<>(n);
        while (parts.size() < n && !queue.isEmpty()) {
            Part p = queue.poll();
            if (!p.isSettled()) {
                parts.add(p);
            }
        }
        Batch b = new Batch(++batches, node, parts);
        for (int i = 0; i < parts.size(); i++) {
            parts.get(i).batch = b;
            parts.get(i).index = i;
        }
        node.batches.add(b);
        node.inFlight += parts.size();
        inFlight += parts.size();
        return b;
    }

    private void send(Batch b) {
        if (b.parts().isEmpty()) {
            answered(b, new NodeReply(b.node().address, List.of(), false, 0));
            return;
        }
        try {
            java.util.concurrent.Future<byte[]> f = executor.submitToMember(
                    new NodeCall(pool, b.id(), BatchCodec.tasks(b.parts()), timeoutMillis), b.node().member);
            @SuppressWarnings("unchecked") // Hazelcast 5's futures are CompletableFutures
            java.util.concurrent.CompletionStage<byte[]> stage = (java.util.concurrent.CompletionStage<byte[]>) f;
            // on the results thread: Hazelcast's own callback form (no executor) would start a thread per answer
            // where the common pool has one thread (two processors), and must not run what users hang on a future
            stage.whenCompleteAsync((reply, t) -> {
                if (t != null) {
                    failed(b, t);
                    return;
                }
                NodeReply decoded;
                try {
                    decoded = BatchCodec.reply(reply);
                } catch (java.io.IOException | ClassNotFoundException | RuntimeException e) {
                    failed(b, e);
                    return;
                }
                answered(b, decoded);
            }, outcomes.executor());
        } catch (RuntimeException e) {
            failed(b, e);
        }
    }

    /** Takes a batch off its node's books; false if that was done already (its node was lost). */
    private boolean ended(Batch b) {
        if (!b.node().batches.remove(b)) {
            return false;
        }
        b.node().inFlight -= b.parts().size();
        inFlight -= b.parts().size();
        b.parts().forEach(p -> p.batch = null);
        return true;
    }

    /** A node's answer to a batch, on the results thread: booked under the lock, published outside it. */
    private void answered(Batch b, NodeReply reply) {
        List<Part> parts = b.parts();
        boolean[] mine = new boolean[parts.size()];
        lock.lock();
        try {
            if (!ended(b)) {
                return;
            }
            b.node().observed(reply.nanos(), parts.size());
            if (reply.leaving()) {
                b.node().accepting = false; // dealt again elsewhere, not counted as an attempt
                for (int i = parts.size() - 1; i >= 0; i--) {
                    if (!parts.get(i).isSettled()) {
                        queue.addFirst(parts.get(i));
                    }
                }
            } else {
                for (int i = 0; i < parts.size(); i++) {
                    mine[i] = parts.get(i).settle();
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < mine.length; i++) {
            if (mine[i]) {
                outcomes.publish(parts.get(i), reply.parts().get(i), reply.node());
            }
        }
    }

    private void failed(Batch b, Throwable t) {
        lock.lock();
        try {
            if (!ended(b)) {
                return;
            }
            LOG.debug("{}: call to node {} failed: {}", name, b.node().address, t.toString());
            if (notSent(t)) {
                // it left before this call could reach it: nothing of the batch ran there
                nodes.values().remove(b.node());
                for (int i = b.parts().size() - 1; i >= 0; i--) {
                    if (!b.parts().get(i).isSettled()) {
                        queue.addFirst(b.parts().get(i));
                    }
                }
            } else {
                b.node().pausedUntil = System.nanoTime() + NodeSlot.PAUSE_NANOS;
                b.parts().forEach(p -> lost(p, b.node(), "did not answer (" + t + ")"));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a call failed before it was sent: its target was no longer a member. */
    private static boolean notSent(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof com.hazelcast.spi.exception.TargetNotMemberException) {
                return true;
            }
        }
        return false;
    }

    /** A part whose node was lost: dealt again while it has attempts left, else failed. Under the lock. */
    private void lost(Part p, NodeSlot node, String why) {
        if (p.isSettled()) {
            return;
        }
        if (p.attempts < retries && !stopped) {
            p.attempts++;
            queue.addFirst(p);
        } else {
            outcomes.nodeLost(p, node.address, why);
        }
    }

    // ------------------------------------------------------------------ cancel, drain, stop

    /** A caller cancels a part: a queued one is taken back; one on a node only with {@code mayInterrupt}. */
    boolean cancel(Part p, boolean mayInterrupt) {
        Batch b;
        lock.lock();
        try {
            if (p.isSettled()) {
                return false;
            }
            if (queue.remove(p)) {
                return outcomes.cancelled(p);
            }
            b = p.batch;
            if (b == null || !mayInterrupt) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        return tell(b.node(), new CancelCall(pool, b.id(), p.index)) && outcomes.cancelled(p);
    }

    /** Sends a cancel to a node and waits for its word, briefly; false if it did not take the tasks back. */
    private boolean tell(NodeSlot node, CancelCall call) {
        try {
            return Boolean.TRUE.equals(executor.submitToMember(call, node.member)
                    .get(CANCEL_WAIT_MILLIS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.debug("{}: cancel on node {}: {}", name, node.address, e.toString());
            return false;
        }
    }

    /** No new tasks; the loop ends once the queue is empty and every answer is in. */
    void drain() {
        lock.lock();
        try {
            draining = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether it has been told to drain or stop. */
    boolean isDraining() {
        lock.lock();
        try {
            return draining || stopped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops now: queued tasks are cancelled; nodes are told to end this pool's tasks, and waited for briefly; every
     * task not done fails with {@link CancellationException}.
     */
    void stop() {
        List<Part> queued;
        List<Part> running = new ArrayList<>();
        List<NodeSlot> busy = new ArrayList<>();
        lock.lock();
        try {
            stopped = true;
            queued = new ArrayList<>(queue);
            queue.clear();
            for (NodeSlot n : nodes.values()) {
                if (!n.batches.isEmpty()) {
                    busy.add(n);
                    for (Batch b : new ArrayList<>(n.batches)) {
                        ended(b);
                        running.addAll(b.parts());
                    }
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        queued.forEach(outcomes::cancelled);
        List<CompletableFuture<Boolean>> told = new ArrayList<>();
        for (NodeSlot n : busy) {
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            Thread t = new Thread(() -> f.complete(tell(n, new CancelCall(pool, CancelCall.ALL, -1))),
                    name + "-terminate");
            t.setDaemon(true);
            t.start(); // in parallel: a dead node's silence must not delay the word to the others
            told.add(f);
        }
        told.forEach(CompletableFuture::join);
        running.forEach(outcomes::cancelled);
    }

    /** Batches sent so far. */
    long batchesSent() {
        lock.lock();
        try {
            return batches;
        } finally {
            lock.unlock();
        }
    }

    /** Queued and running tasks. */
    int[] load() {
        lock.lock();
        try {
            return new int[] {queue.size(), inFlight};
        } finally {
            lock.unlock();
        }
    }
}
