package io.github.multiproc.bench.jmh;

import io.github.multiproc.ProcessPool;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One task's round trip through a warm {@code ProcessPool(2)}, one task in flight at a time: serialize, write to a
 * worker's socket, the worker reads, runs and answers, the parent completes the future. The pool is created once per
 * trial (and warmed so that both workers have run tasks) and closed, its workers joined, after it.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PoolRoundTripBench {
    private ProcessPool pool;

    /** JMH instantiates the state. */
    public PoolRoundTripBench() {
    }

    @Setup(Level.Trial)
    public void start() {
        pool = ProcessPool.create(2);
        for (int i = 0; i < 2_000; i++) {
            pool.apply(() -> 1);
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        pool.close(); // shuts down and waits until both workers have exited
        NoChildrenLeft.check("PoolRoundTripBench");
    }

    @Benchmark
    public Integer apply() {
        return pool.apply(() -> 1);
    }

    @Benchmark
    public Integer applyAsyncJoin() {
        return pool.applyAsync(() -> 1).join();
    }
}
