package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.OsProcess;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool of 3 under a random mix of normal and faulty tasks while another thread SIGKILLs random workers. Every
 * future settles, each the way it should, and nothing is left behind. Runs for {@code multiproc.chaos.seconds}
 * (20 by default, as part of every build; {@code mvn test -Dtest=PoolChaosTest -Dmultiproc.chaos.seconds=600} for a
 * soak).
 */
@Tag("chaos")
@Timeout(value = 3_600, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolChaosTest {
    private enum Kind { NORMAL, THROWS, HALTS, EXITS, OUT_OF_MEMORY, ENDLESS, CANCELLED }

    private static int openFiles() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @Test
    void randomFaultsAndKills_everyFutureSettlesAsDocumented_nothingLeftBehind() throws Exception {
        long seconds = Long.getLong("multiproc.chaos.seconds", 20);
        long seed = Long.getLong("multiproc.chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        int threadsBefore = Thread.activeCount();
        int filesBefore = openFiles();
        Set<Long> workerPids = new HashSet<>();
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        AtomicInteger kills = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ProcessPool pool = ProcessPool.builder().workers(3).jvmOptions("-Xmx64m").taskTimeout(Duration.ofSeconds(2))
                .name("chaos").build();
        Thread killer = new Thread(() -> {
            Random r = new Random(seed + 1);
            Map<Long, Long> firstSeen = new java.util.HashMap<>();
            while (!stop.get()) {
                List<Long> pids = pool.workerPids();
                synchronized (workerPids) {
                    workerPids.addAll(pids);
                }
                long now = System.nanoTime();
                pids.forEach(pid -> firstSeen.putIfAbsent(pid, now));
                // workers that have been up a second, so ready: replacements killed as they start would be a JVM
                // that cannot start, which the pool gives up on by design
                List<Long> up = new ArrayList<>();
                for (long pid : pids) {
                    if (now - firstSeen.get(pid) > SECONDS.toNanos(1)) {
                        up.add(pid);
                    }
                }
                if (!up.isEmpty() && r.nextInt(4) == 0) {
                    OsProcess.killQuietly(up.get(r.nextInt(up.size())));
                    kills.incrementAndGet();
                }
                try {
                    Thread.sleep(100); // the pace of the faults, not a synchronization
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "chaos-killer");
        killer.start();
        long end = System.nanoTime() + SECONDS.toNanos(seconds);
        try {
            while (System.nanoTime() - end < 0) {
                int batch = 1 + random.nextInt(20);
                for (int i = 0; i < batch; i++) {
                    Kind kind = random.nextInt(10) < 6 ? Kind.NORMAL : Kind.values()[1 + random.nextInt(6)];
                    int x = random.nextInt(1_000);
                    CompletableFuture<Integer> f;
                    switch (kind) {
                        case THROWS:
                            f = pool.applyAsync(() -> {
                                throw new IllegalStateException("chaos " + x);
                            });
                            break;
                        case HALTS:
                            f = pool.applyAsync(() -> {
                                Runtime.getRuntime().halt(7);
                                return x;
                            });
                            break;
                        case EXITS:
                            f = pool.applyAsync(() -> {
                                System.exit(3);
                                return x;
                            });
                            break;
                        case OUT_OF_MEMORY:
                            f = pool.applyAsync(() -> {
                                List<long[]> hog = new ArrayList<>();
                                while (true) {
                                    hog.add(new long[1 << 20]);
                                }
                            });
                            break;
                        case ENDLESS:
                            f = pool.applyAsync(() -> {
                                Thread.sleep(600_000);
                                return x;
                            });
                            break;
                        default:
                            f = pool.applyAsync((Integer y) -> {
                                Thread.sleep(y % 7);
                                return 2 * y;
                            }, x);
                    }
                    if (kind == Kind.CANCELLED || (kind == Kind.NORMAL && random.nextInt(20) == 0)) {
                        kind = f.cancel(true) ? Kind.CANCELLED : Kind.NORMAL; // false: it had finished already
                    }
                    futures.add(f);
                    kinds.add(kind);
                    if (kind == Kind.NORMAL) {
                        futures.set(futures.size() - 1, f.thenApply(v -> {
                            assertThat(v).isEqualTo(2 * x);
                            return v;
                        }));
                    }
                }
                // let the batch settle before the next: every future must, within a bounded time
                for (CompletableFuture<Integer> f : futures.subList(futures.size() - batch, futures.size())) {
                    try {
                        f.get(60, SECONDS);
                    } catch (ExecutionException | CancellationException e) {
                        // checked below
                    } catch (TimeoutException e) {
                        throw new AssertionError("a future did not settle within 60 s: " + pool, e);
                    }
                }
            }
        } finally {
            stop.set(true);
            killer.interrupt();
            killer.join();
            pool.close();
        }
        Map<Kind, int[]> tally = new EnumMap<>(Kind.class); // {succeeded, failed as documented}
        int normalFailures = 0;
        for (int i = 0; i < futures.size(); i++) {
            Kind kind = kinds.get(i);
            int[] t = tally.computeIfAbsent(kind, k -> new int[2]);
            Throwable failure;
            try {
                futures.get(i).join();
                t[0]++;
                assertThat(kind).as("task %d succeeded", i).isIn(Kind.NORMAL);
                continue;
            } catch (CancellationException e) {
                failure = e;
            } catch (java.util.concurrent.CompletionException e) {
                failure = e.getCause();
            }
            boolean crash = failure instanceof ChildCrashedException;
            switch (kind) {
                case NORMAL:
                    normalFailures++;
                    assertThat(crash).as("normal task %d failed with %s", i, failure).isTrue();
                    break;
                case THROWS:
                    assertThat(failure instanceof ChildFailedException || crash).as("%s", failure).isTrue();
                    break;
                case HALTS:
                case EXITS:
                    assertThat(crash).as("%s", failure).isTrue();
                    break;
                case OUT_OF_MEMORY:
                    assertThat(failure instanceof ChildFailedException || crash).as("%s", failure).isTrue();
                    break;
                case ENDLESS:
                    assertThat(failure instanceof TaskTimeoutException || crash).as("%s", failure).isTrue();
                    break;
                default:
                    assertThat(failure).isInstanceOf(CancellationException.class);
            }
            t[1]++;
        }
        int faults = futures.size() - tally.getOrDefault(Kind.NORMAL, new int[2])[0] - normalFailures;
        assertThat(normalFailures).as("normal tasks failed").isLessThanOrEqualTo(kills.get() + faults);
        StringBuilder summary = new StringBuilder("chaos (seed " + seed + ", " + seconds + " s): " + futures.size()
                + " tasks, " + kills.get() + " kills, " + pool.stats().workerRestarts() + " restarts;");
        tally.forEach((k, t) -> summary.append(' ').append(k).append('=').append(t[0]).append('/').append(t[1]));
        summary.append("; normal tasks failed: ").append(normalFailures);
        System.out.println(summary);

        assertThat(pool.isTerminated()).isTrue();
        synchronized (workerPids) {
            Await.until(Duration.ofSeconds(10), () -> "a worker alive after close(): " + workerPids,
                    () -> workerPids.stream().noneMatch(OsProcess::isRunning));
        }
        // the library's threads and files end with the pool: flat, but for a few that other tests may start
        Await.until(Duration.ofSeconds(10), () -> "threads: " + threadsBefore + " before, " + Thread.activeCount(),
                () -> Thread.activeCount() <= threadsBefore + 4);
        if (filesBefore >= 0) {
            Await.until(Duration.ofSeconds(10), () -> "open files: " + filesBefore + " before, " + openFiles(),
                    () -> openFiles() <= filesBefore + 8);
        }
    }
}
