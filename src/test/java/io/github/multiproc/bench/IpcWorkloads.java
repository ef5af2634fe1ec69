package io.github.multiproc.bench;

import static io.github.multiproc.bench.Workloads.emit;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.Connection;
import io.github.multiproc.Fork;
import io.github.multiproc.Pipe;
import io.github.multiproc.ProcessEvent;
import io.github.multiproc.ProcessLock;
import io.github.multiproc.ProcessQueue;
import io.github.multiproc.SerializableRunnable;
import io.github.multiproc.SharedLongArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The inter-process workloads of {@code bench/run.sh}, the same as {@code shared/bench/python/b10_queue.py},
 * {@code b11_pipe.py}, {@code b12_shared.py} and {@code b13_event.py}: children started and ready outside the
 * timed region unless the Python one includes the start.
 */
final class IpcWorkloads {
    private IpcWorkloads() {
    }

    static void run(String workload, int n) throws Exception {
        switch (workload) {
            case "queue":
                queue(n > 0 ? n : 100_000);
                break;
            case "pipe":
                pipe(n > 0 ? n : 20_000);
                break;
            case "shared":
                shared(n > 0 ? n : 100_000);
                break;
            case "event":
                event(n > 0 ? n : 5_000);
                break;
            default:
                throw new IllegalArgumentException("unknown workload " + workload);
        }
    }

    /** Starts {@code count} children, each running {@code body.apply(i)} once all are ready and go is set. */
    private static double race(int count, IntFunction<SerializableRunnable> body, Runnable consume)
            throws Exception {
        ProcessEvent go = ProcessEvent.create();
        List<ChildProcess<Void>> children = new ArrayList<>();
        List<ProcessEvent> readies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ProcessEvent ready = ProcessEvent.create();
            SerializableRunnable task = body.apply(i);
            readies.add(ready);
            children.add(Fork.run(() -> {
                ready.set();
                go.await();
                task.run();
            }));
        }
        for (ProcessEvent ready : readies) {
            ready.await();
        }
        long t0 = System.nanoTime();
        go.set();
        consume.run();
        for (ChildProcess<Void> child : children) {
            child.result();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static void queue(int n) throws Exception {
        for (int producers = 1; producers <= 2; producers++) {
            int each = n / producers;
            int total = each * producers;
            try (ProcessQueue<Integer> queue = ProcessQueue.create()) {
                long[] sum = new long[1];
                double dt = race(producers, i -> () -> {
                    for (int k = 0; k < each; k++) {
                        queue.put(k);
                    }
                }, () -> {
                    try {
                        for (int k = 0; k < total; k++) {
                            sum[0] += queue.take();
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                emit(producers == 1 ? "ProcessQueue child put -> parent take"
                        : "ProcessQueue 2 children put -> parent take", total / dt, "items/s", "N=" + n);
            }
        }
    }

    static void pipe(int n) throws Exception {
        Pipe<Integer> pipe = Pipe.create();
        Connection<Integer> b = pipe.second();
        ChildProcess<Void> echo = Fork.run(() -> {
            for (Integer x = b.receive(); x >= 0; x = b.receive()) {
                b.send(x + 1);
            }
        });
        Connection<Integer> a = pipe.first();
        a.send(0);
        a.receive(); // the child is up
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            a.send(i);
            a.receive();
        }
        double dt = (System.nanoTime() - t0) / 1e9;
        emit("Pipe round trip", dt / n * 1e6, "us", "N=" + n);
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            a.send(i);
            a.receive();
        }
        dt = (System.nanoTime() - t0) / 1e9;
        emit("Pipe round trip, warm", dt / n * 1e6, "us", "N=" + n + " more, after the first N");
        a.send(-1);
        echo.result();

        Pipe<Integer> stream = Pipe.create();
        Connection<Integer> sinkEnd = stream.second();
        int m = n * 5;
        t0 = System.nanoTime();
        ChildProcess<Void> sink = Fork.run(() -> {
            for (int i = 0; i < m; i++) {
                sinkEnd.receive();
            }
            sinkEnd.send(-1);
        });
        Connection<Integer> source = stream.first();
        for (int i = 0; i < m; i++) {
            source.send(i);
        }
        source.receive();
        dt = (System.nanoTime() - t0) / 1e9;
        sink.result();
        emit("Pipe one-way stream", m / dt, "msgs/s", "N=" + m + " (child start included)");
    }

    static void shared(int n) throws Exception {
        ProcessLock lock = ProcessLock.create();
        try (SharedLongArray counter = SharedLongArray.create(1)) {
            double dt = race(2, i -> () -> {
                for (int k = 0; k < n; k++) {
                    lock.lock();
                    try {
                        counter.set(0, counter.get(0) + 1);
                    } finally {
                        lock.unlock();
                    }
                }
            }, () -> { });
            check(counter.get(0) == 2L * n, "locked counter");
            emit("SharedLongArray 2 children x +1 under ProcessLock", 2 * n / dt, "ops/s", "N=" + n + " each");
        }
        try (SharedLongArray slots = SharedLongArray.create(2)) {
            double dt = race(2, i -> () -> {
                for (int k = 0; k < n; k++) {
                    slots.getAndAdd(i, 1);
                }
            }, () -> { });
            check(slots.get(0) == n && slots.get(1) == n, "own slots");
            emit("SharedLongArray 2 children x own slot getAndAdd", 2 * n / dt, "ops/s", "N=" + n + " each");
        }
    }

    static void event(int n) throws Exception {
        ProcessEvent ping = ProcessEvent.create();
        ProcessEvent pong = ProcessEvent.create();
        ChildProcess<Void> ponger = Fork.run(() -> {
            for (int i = 0; i < 2 * n + 1; i++) {
                ping.await();
                ping.clear();
                pong.set();
            }
        });
        ping.set();
        pong.await();
        pong.clear(); // the child is up
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ping.set();
            pong.await();
            pong.clear();
        }
        double dt = (System.nanoTime() - t0) / 1e9;
        emit("ProcessEvent ping-pong round trip", dt / n * 1e6, "us", "N=" + n);
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ping.set();
            pong.await();
            pong.clear();
        }
        dt = (System.nanoTime() - t0) / 1e9;
        emit("ProcessEvent ping-pong round trip, warm", dt / n * 1e6, "us", "N=" + n + " more, after the first N");
        ponger.result();

        ProcessLock lock = ProcessLock.create();
        int m = n * 100;
        t0 = System.nanoTime();
        for (int i = 0; i < m; i++) {
            lock.lock();
            lock.unlock();
        }
        dt = (System.nanoTime() - t0) / 1e9;
        emit("ProcessLock uncontended lock+unlock", dt / m * 1e9, "ns", "N=" + m);
        t0 = System.nanoTime();
        for (int i = 0; i < m; i++) {
            lock.lock();
            lock.unlock();
        }
        dt = (System.nanoTime() - t0) / 1e9;
        emit("ProcessLock uncontended lock+unlock, warm", dt / m * 1e9, "ns", "N=" + m + " more, after the first N");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("wrong result: " + what);
        }
    }
}
