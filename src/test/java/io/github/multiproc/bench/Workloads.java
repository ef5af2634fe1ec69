package io.github.multiproc.bench;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.Fork;
import io.github.multiproc.ProcessPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The Java side of {@code bench/run.sh}: one workload per run, in a fresh JVM, printing
 * {@code metric<TAB>value<TAB>unit<TAB>note} lines like the Python comparator in {@code shared/bench/python}, so that
 * {@code bench/compare.py} can put both in one table. Usage: {@code Workloads <workload> [N]}.
 */
public final class Workloads {
    private Workloads() {
    }

    static void emit(String metric, double value, String unit, String note) {
        System.out.printf("%s\t%.6g\t%s\t%s%n", metric, value, unit, note);
    }

    public static void main(String[] args) throws Exception {
        String workload = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        switch (workload) {
            case "apply_async":
                applyAsync(n > 0 ? n : 20_000);
                break;
            case "apply":
                apply(n > 0 ? n : 5_000);
                break;
            case "map":
                map(n > 0 ? n : 200_000);
                break;
            case "fork":
                fork(n > 0 ? n : 30);
                break;
            case "fork_loop":
                forkLoop(n > 0 ? n : 15);
                break;
            case "fork_cds_ab":
                forkCdsAb(n > 0 ? n : 20);
                break;
            case "pool_lifecycle":
                poolLifecycle(n > 0 ? n : 5);
                break;
            case "exec":
                exec(n > 0 ? n : 1_000);
                break;
            case "idle_rss":
                idleMemory();
                break;
            case "cpu":
                cpu(n > 0 ? n : 2_000);
                break;
            case "prepare":
                prepare();
                break;
            default:
                IpcWorkloads.run(workload, n);
        }
    }

    /**
     * Not measured: starts a child and stays until the children's class-data archive (or AOT cache) for this build
     * and JDK is made, if it was missing. Its training JVM runs beside the first child and is ended when its parent
     * exits, so without this the first runs after a change of the code would each train again, beside what they
     * measure.
     */
    static void prepare() throws Exception {
        if (Fork.call(() -> 1).result() != 1) {
            throw new IllegalStateException("prepare: a child answered wrongly");
        }
        Thread.sleep(600); // the training starts a moment after the first child
        long deadline = System.nanoTime() + 120_000_000_000L;
        // the library's thread that runs the training JVM and moves the archive into place
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("multiproc-cds-training"))) {
            if (System.nanoTime() > deadline) {
                System.err.println("prepare: the class-data archive is still training after 2 minutes");
                return;
            }
            Thread.sleep(100);
        }
    }

    static int inc(int x) {
        return x + 1;
    }

    static void applyAsync(int n) throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            pool.map(Workloads::inc, IntStream.range(0, 100).boxed().collect(Collectors.toList()), 1); // warm-up
            long t0 = System.nanoTime();
            List<CompletableFuture<Integer>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                futures.add(pool.applyAsync(Workloads::inc, i));
            }
            for (CompletableFuture<Integer> f : futures) {
                f.get();
            }
            emit("Pool(2) apply_async+get", n / ((System.nanoTime() - t0) / 1e9), "tasks/s", "N=" + n);
        }
    }

    static void apply(int n) {
        try (ProcessPool pool = ProcessPool.create(2)) {
            pool.map(Workloads::inc, IntStream.range(0, 100).boxed().collect(Collectors.toList()), 1); // warm-up
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (pool.apply(Workloads::inc, i) != i + 1) {
                    throw new AssertionError();
                }
            }
            double dt = (System.nanoTime() - t0) / 1e9;
            emit("Pool(2) apply (blocking)", n / dt, "tasks/s", "N=" + n);
        }
    }

    static void map(int n) {
        List<Integer> items = IntStream.range(0, n).boxed().collect(Collectors.toList());
        try (ProcessPool pool = ProcessPool.create(2)) {
            pool.map(Workloads::inc, items.subList(0, 100), 1); // warm-up
            long t0 = System.nanoTime();
            List<Integer> out = pool.map(Workloads::inc, items);
            emit("Pool(2) map default chunksize", n / ((System.nanoTime() - t0) / 1e9), "items/s", "N=" + n);
            check(out, n);
            t0 = System.nanoTime();
            out = pool.map(Workloads::inc, items, 1);
            emit("Pool(2) map chunksize=1", n / ((System.nanoTime() - t0) / 1e9), "items/s", "N=" + n);
            check(out, n);
            // the first map above runs its packing loops in the interpreter while the JIT compiles them
            t0 = System.nanoTime();
            out = pool.map(Workloads::inc, items);
            emit("Pool(2) map default chunksize, warm", n / ((System.nanoTime() - t0) / 1e9), "items/s",
                    "N=" + n + ", the same map again after the two above");
            check(out, n);
        }
    }

    private static void check(List<Integer> out, int n) {
        if (out.size() != n || out.get(n - 1) != n) {
            throw new AssertionError("wrong map result");
        }
    }

    /** {@code Fork.call(() -> 1)}, returned once its result is in (and checked). */
    private static ChildProcess<Integer> forkOne() throws InterruptedException {
        ChildProcess<Integer> child = Fork.call(() -> 1);
        if (child.result() != 1) {
            throw new AssertionError();
        }
        return child;
    }

    static void fork(int n) throws Exception {
        // cold: every child a JVM started for it (no standby), joined before the next
        System.setProperty("multiproc.standby", "0");
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            ChildProcess<Integer> child = forkOne();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            child.join();
        }
        emit("child start+result 1st", ms[0], "ms", "Fork.call(() -> 1).result()");
        emit("child start+result p50", median(Arrays.copyOfRange(ms, 1, n)), "ms", "N=" + (n - 1) + " after the 1st");
        // warm: a standby child ready (the default), given time to start and warm up between forks
        System.setProperty("multiproc.standby", "1");
        Fork.call(() -> 1).join();
        int warmRuns = Math.max(5, n / 2);
        double[] warm = new double[warmRuns];
        double[] warmJoin = new double[warmRuns];
        for (int i = 0; i < warmRuns; i++) {
            Thread.sleep(600); // a benchmark's pause, not synchronization: the standby starts and warms up
            long t0 = System.nanoTime();
            ChildProcess<Integer> child = forkOne();
            warm[i] = (System.nanoTime() - t0) / 1e6;
            child.join();
            warmJoin[i] = (System.nanoTime() - t0) / 1e6;
        }
        emit("warm child start+result p50", median(warm), "ms", "N=" + warmRuns + ", standby ready");
        emit("warm child start+join p50", median(warmJoin), "ms", "N=" + warmRuns + ", standby ready, + the JVM's exit");
    }

    /** The loop: sequential {@code Fork.call(() -> 1).result()} with the default settings (standbys on). */
    static void forkLoop(int n) throws Exception {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            ChildProcess<Integer> child = forkOne();
            child.join();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        emit("fork loop 1st", ms[0], "ms", "Fork.call(() -> 1).result() + join");
        emit("fork loop p50", median(Arrays.copyOfRange(ms, 1, n)), "ms", "N=" + (n - 1) + " after the 1st");
        emit("fork loop mean", Arrays.stream(ms, 1, n).average().orElse(Double.NaN), "ms",
                "N=" + (n - 1) + " after the 1st");
    }

    /**
     * Cold children (no standby) from the dynamic class-data archive against the default ({@code multiproc.cds=auto}:
     * the AOT cache on JDK 25 and later), side by side in this one JVM: {@code blocks} pairs of blocks, each block
     * one untimed fork (it takes the switch of setting, and trains the file the first time) and 4 timed ones, the
     * order of the two settings alternating. Run it once before to train both files.
     */
    static void forkCdsAb(int blocks) throws Exception {
        System.setProperty("multiproc.standby", "0");
        List<Double> dynamic = new ArrayList<>();
        List<Double> auto = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            for (String setting : b % 2 == 0 ? List.of("dynamic", "auto") : List.of("auto", "dynamic")) {
                System.setProperty("multiproc.cds", setting);
                Fork.call(() -> 1).join();
                for (int i = 0; i < 4; i++) {
                    long t0 = System.nanoTime();
                    ChildProcess<Integer> child = Fork.call(() -> 1);
                    if (child.result() != 1) {
                        throw new AssertionError();
                    }
                    (setting.equals("auto") ? auto : dynamic).add((System.nanoTime() - t0) / 1e6);
                    child.join();
                }
            }
        }
        double d = median(dynamic.stream().mapToDouble(Double::doubleValue).toArray());
        double a = median(auto.stream().mapToDouble(Double::doubleValue).toArray());
        emit("cold child, multiproc.cds=dynamic p50", d, "ms", "N=" + dynamic.size());
        emit("cold child, multiproc.cds=auto p50", a, "ms", "N=" + auto.size() + ", Java " + Runtime.version());
        emit("auto/dynamic", a / d, "x", "same JVM, blocks alternating");
    }

    static void poolLifecycle(int iters) {
        double[] life = new double[iters];
        double[] first = new double[iters];
        double[] firstAndClose = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            ProcessPool.create(2).close();
            life[i] = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            try (ProcessPool pool = ProcessPool.create(2)) {
                pool.apply(Workloads::inc, 1);
                first[i] = (System.nanoTime() - t0) / 1e6;
            }
            firstAndClose[i] = (System.nanoTime() - t0) / 1e6;
        }
        emit("Pool(2) create+close+join", median(life), "ms", "median of " + iters);
        emit("Pool(2) create->1st apply result", median(first), "ms", "median of " + iters);
        emit("Pool(2) create->1st result->close", median(firstAndClose), "ms",
                "median of " + iters + ", until close() returned");
    }

    static void exec(int n) throws Exception {
        // interleaved blocks, so that drift of the machine hits all three alike; each ratio is from this one JVM
        long execNanos = 0;
        long commandNanos = 0;
        long rawNanos = 0;
        int block = Math.max(1, n / 10);
        for (int i = 0; i < 10; i++) {
            Fork.exec("/bin/true").join();
            Fork.command("/bin/true").start().join();
            new ProcessBuilder("/bin/true").inheritIO().start().waitFor();
        }
        for (int done = 0; done < n; done += block) {
            long t0 = System.nanoTime();
            for (int i = 0; i < block; i++) {
                ChildProcess<Void> c = Fork.exec("/bin/true");
                c.join();
            }
            execNanos += System.nanoTime() - t0;
            t0 = System.nanoTime();
            for (int i = 0; i < block; i++) {
                Fork.command("/bin/true").start().join();
            }
            commandNanos += System.nanoTime() - t0;
            t0 = System.nanoTime();
            for (int i = 0; i < block; i++) {
                new ProcessBuilder("/bin/true").inheritIO().start().waitFor();
            }
            rawNanos += System.nanoTime() - t0;
        }
        int total = (n / block) * block;
        emit("Fork.exec(/bin/true)+join", total / (execNanos / 1e9), "spawns/s", "N=" + total);
        emit("Fork.command(/bin/true).start()+join", total / (commandNanos / 1e9), "spawns/s", "N=" + total);
        emit("ProcessBuilder(/bin/true)+waitFor", total / (rawNanos / 1e9), "spawns/s", "N=" + total);
        emit("Fork.exec / ProcessBuilder", (double) rawNanos / execNanos, "x", "same JVM, interleaved");
        emit("Fork.command / ProcessBuilder", (double) rawNanos / commandNanos, "x", "same JVM, interleaved");
    }

    /**
     * The resident set of a Pool(2)'s idle workers, and the proportional set size of a Pool(4)'s: its shared pages
     * (the JDK's libraries and class-data archives) split among every process that maps them.
     */
    static void idleMemory() throws Exception {
        emit("idle worker RSS", meanOverIdleWorkers(2, "status", "VmRSS:"), "MiB", "Pool(2), after one task each");
        emit("idle worker PSS, Pool(4)", meanOverIdleWorkers(4, "smaps_rollup", "Pss:"), "MiB",
                "Pool(4), after one task each");
    }

    /** The mean of one /proc figure (in KiB there) over the workers of a new pool, each after a task, in MiB. */
    private static double meanOverIdleWorkers(int workers, String procFile, String field) throws Exception {
        try (ProcessPool pool = ProcessPool.create(workers)) {
            Set<Long> pids = runOnEveryWorker(pool);
            double total = 0;
            for (long pid : pids) {
                total += kib(Path.of("/proc", Long.toString(pid), procFile), field) / 1024.0;
            }
            return total / pids.size();
        }
    }

    /**
     * Runs short tasks until every worker has run one (create returns once one worker is ready, and a worker that is
     * up first could otherwise take them all), and returns the pids that ran them.
     */
    private static Set<Long> runOnEveryWorker(ProcessPool pool) {
        Set<Long> pids = new HashSet<>();
        for (int round = 0; round < 50 && pids.size() < pool.workers(); round++) {
            pids.addAll(pool.map(Workloads::pidAfterNap, Collections.nCopies(2 * pool.workers(), 20), 1));
        }
        if (pids.size() < pool.workers()) {
            throw new AssertionError("tasks ran on " + pids.size() + " of " + pool.workers() + " workers");
        }
        return pids;
    }

    static long pidAfterNap(int millis) {
        try {
            Thread.sleep(millis); // so that the tasks of one map spread over the workers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ProcessHandle.current().pid();
    }

    /** The kB figure of the first line of {@code file} that starts with {@code key}, as in /proc's status files. */
    static long kib(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).replaceAll("\\D", ""));
            }
        }
        throw new IOException("no " + key + " line in " + file);
    }

    /** Arithmetic (about two seconds for 2,000 million rounds), the same loop on a pool worker and in this JVM. */
    static long spin(long rounds) {
        long x = 1;
        for (long i = 0; i < rounds; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            x ^= x >>> 29;
        }
        return x;
    }

    static void cpu(int millionRounds) throws Exception {
        long rounds = millionRounds * 1_000_000L;
        try (ProcessPool pool = ProcessPool.create(1)) {
            pool.apply(Workloads::inc, 1);
            long t0 = System.nanoTime();
            pool.apply(Workloads::spin, rounds);
            double worker = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            spin(rounds);
            double plain = (System.nanoTime() - t0) / 1e9;
            emit("CPU-heavy task on a pool worker", worker, "s", "default pool flags");
            emit("CPU-heavy task in plain java", plain, "s", "this JVM, default flags");
            emit("CPU-heavy worker / plain", worker / plain, "ratio", "<= 1.10 wanted");
        }
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
