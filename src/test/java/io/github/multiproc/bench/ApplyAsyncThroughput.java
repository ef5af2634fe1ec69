package io.github.multiproc.bench;

import io.github.multiproc.ProcessPool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Tasks per second for N trivial {@code applyAsync} calls on {@code ProcessPool.create(2)}, then {@code get()} of
 * all: the same workload as {@code shared/bench/python/b4_apply_async.py}. Arguments: N (default 20000), rounds
 * (default 5); prints each round and the median.
 */
public final class ApplyAsyncThroughput {
    private ApplyAsyncThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        double[] rates = new double[rounds];
        try (ProcessPool pool = ProcessPool.create(2)) {
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                List<CompletableFuture<Integer>> futures = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int x = i;
                    futures.add(pool.applyAsync(() -> x + 1));
                }
                for (CompletableFuture<Integer> f : futures) {
                    f.get();
                }
                rates[r] = n / ((System.nanoTime() - t0) / 1e9);
                System.out.printf("round %d: %.0f tasks/s%n", r + 1, rates[r]);
            }
        }
        Arrays.sort(rates);
        System.out.printf("applyAsync x%d on create(2): median %.0f tasks/s%n", n, rates[rounds / 2]);
    }
}
