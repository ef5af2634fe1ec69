package io.github.multiproc.bench.jmh;

import io.github.multiproc.ExitStatus;
import io.github.multiproc.Fork;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Starting {@code /bin/true} and waiting for it, per process: {@code Fork.exec} (a record file in the state
 * directory, the reaping layer, {@code Process.onExit()}) against the JDK's {@code ProcessBuilder} alone, with
 * {@code Fork.exec}'s redirects ({@code inheritIO}) and with the JDK's default pipes.
 */
@State(Scope.Benchmark)
@org.openjdk.jmh.annotations.Fork(1) // not io.github.multiproc.Fork
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExecBench {
    private static final String TRUE = "/bin/true";

    /** JMH instantiates the state. */
    public ExecBench() {
    }

    @Benchmark
    public ExitStatus forkExec() throws InterruptedException {
        return Fork.exec(TRUE).join();
    }

    @Benchmark
    public int processBuilderInheritIO() throws IOException, InterruptedException {
        return new ProcessBuilder(TRUE).inheritIO().start().waitFor();
    }

    @Benchmark
    public int processBuilder() throws IOException, InterruptedException {
        return new ProcessBuilder(TRUE).start().waitFor();
    }

    @TearDown(Level.Trial)
    public void noneLeft() throws InterruptedException {
        NoChildrenLeft.check("ExecBench");
    }
}
