package io.github.multiproc.internal.pool;

import static java.util.Objects.requireNonNull;

import io.github.multiproc.SerializableBiFunction;
import io.github.multiproc.SerializableFunction;
import io.github.multiproc.internal.task.Calls;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A pool's {@code map}, {@code starmap} and {@code imap}: the items cut into chunks (Python's default size, or the
 * caller's), each chunk one task, and the chunks' results gathered in order; or, for {@code imap}, items read lazily
 * a window ahead ({@link LazyResults}).
 *
 * <p>Thread safety: stateless.
 */
public final class PoolMaps {
    private PoolMaps() {
    }

    /**
     * Queues {@code fn} over the items in chunks and returns the results in order.
     *
     * @param engine where the pool's tasks go
     * @param owner the pool, kept reachable by the futures
     * @param fn the function
     * @param items the items, read now
     * @param chunkSize items per task; 0 for Python's default
     * @param <T> the item type
     * @param <R> the result type
     * @return a future for the results in order; it fails as soon as one chunk fails
     */
    public static <T, R> CompletableFuture<List<R>> map(TaskSink engine, Object owner,
            SerializableFunction<T, R> fn, Iterable<? extends T> items, int chunkSize) {
        requireNonNull(fn, "fn");
        List<T> list = toList(requireNonNull(items, "items"));
        int chunk = chunkSize > 0 ? chunkSize : defaultChunkSize(engine, list.size());
        List<CompletableFuture<List<R>>> chunks = new ArrayList<>();
        try {
            for (int from = 0; from < list.size(); from += chunk) {
                if (chunk == 1) {
                    Calls.Apply single = new Calls.Apply(fn, list.get(from));
                    if (single.plain()) {
                        chunks.add(asChunk(engine.submit(single, owner, false)));
                        continue;
                    }
                }
                List<T> part = list.subList(from, Math.min(list.size(), from + chunk));
                chunks.add(engine.submit(new Calls.Chunk(fn, part), owner, false));
            }
        } catch (RuntimeException e) {
            chunks.forEach(c -> c.cancel(false));
            throw e;
        }
        return gather(chunks);
    }

    /**
     * A chunk of one plain item sent as a plain task (no serialization: see {@code Worker.send}); cancelling the
     * chunk cancels the task.
     */
    private static <R> CompletableFuture<List<R>> asChunk(CompletableFuture<Object> task) {
        @SuppressWarnings("unchecked")
        CompletableFuture<List<R>> chunk = task.thenApply(v -> Collections.singletonList((R) v));
        chunk.whenComplete((v, e) -> {
            if (chunk.isCancelled()) {
                task.cancel(false);
            }
        });
        return chunk;
    }

    /** Python's rule: {@code ceil(len / (4 * workers))}, at least 1. */
    static int defaultChunkSize(TaskSink engine, int size) {
        int per = 4 * engine.workers();
        int chunk = size / per;
        return Math.max(1, size % per != 0 ? chunk + 1 : chunk);
    }

    /** All chunks' results in order; fails as soon as one chunk fails and cancels the chunks not yet started. */
    private static <R> CompletableFuture<List<R>> gather(List<CompletableFuture<List<R>>> chunks) {
        CompletableFuture<List<R>> all = new CompletableFuture<>();
        if (chunks.isEmpty()) {
            all.complete(new ArrayList<>());
            return all;
        }
        AtomicInteger left = new AtomicInteger(chunks.size());
        for (CompletableFuture<List<R>> c : chunks) {
            c.whenComplete((v, e) -> {
                if (e != null) {
                    if (all.completeExceptionally(PoolFutures.unwrap(e))) {
                        chunks.forEach(other -> other.cancel(false));
                    }
                } else if (left.decrementAndGet() == 0) {
                    List<R> results = new ArrayList<>();
                    chunks.forEach(done -> results.addAll(done.join()));
                    all.complete(results);
                }
            });
        }
        all.whenComplete((v, e) -> {
            if (all.isCancelled()) {
                chunks.forEach(c -> c.cancel(true));
            }
        });
        return all;
    }

    /**
     * Queues {@code fn} over the pairs in chunks and returns the results in order.
     *
     * @param engine where the pool's tasks go
     * @param owner the pool, kept reachable by the futures
     * @param fn the function
     * @param pairs the argument pairs, read now
     * @param <T> the first argument's type
     * @param <U> the second argument's type
     * @param <R> the result type
     * @return a future for the results in order
     */
    public static <T, U, R> CompletableFuture<List<R>> starmap(TaskSink engine, Object owner,
            SerializableBiFunction<T, U, R> fn, Iterable<? extends Map.Entry<? extends T, ? extends U>> pairs) {
        requireNonNull(fn, "fn");
        List<Calls.Pair> list = new ArrayList<>();
        for (Map.Entry<? extends T, ? extends U> e : requireNonNull(pairs, "pairs")) {
            requireNonNull(e, "pair");
            list.add(new Calls.Pair(e.getKey(), e.getValue()));
        }
        int chunk = defaultChunkSize(engine, list.size());
        List<CompletableFuture<List<R>>> chunks = new ArrayList<>();
        try {
            for (int from = 0; from < list.size(); from += chunk) {
                chunks.add(engine.submit(new Calls.StarChunk(fn, list.subList(from, Math.min(list.size(),
                        from + chunk))), owner, false));
            }
        } catch (RuntimeException e) {
            chunks.forEach(c -> c.cancel(false));
            throw e;
        }
        return gather(chunks);
    }

    /**
     * Streams {@code fn} over the items, read lazily, a small window ahead of the results.
     *
     * @param engine where the pool's tasks go
     * @param owner the pool, kept reachable by the futures
     * @param fn the function
     * @param items the items
     * @param ordered in the order of the items, or as they finish
     * @param <T> the item type
     * @param <R> the result type
     * @return the results
     */
    public static <T, R> Stream<R> lazy(TaskSink engine, Object owner, SerializableFunction<T, R> fn,
            Iterable<? extends T> items, boolean ordered) {
        requireNonNull(fn, "fn");
        requireNonNull(items, "items");
        LazyResults<T, R> results = new LazyResults<>(engine, owner, fn, items.iterator(),
                Math.max(2, 2 * engine.workers()), ordered);
        return StreamSupport.stream(results, false).onClose(results::cancelAll);
    }

    private static <T> List<T> toList(Iterable<? extends T> items) {
        if (items instanceof Collection) {
            return new ArrayList<>((Collection<? extends T>) items); // one array copy
        }
        List<T> list = new ArrayList<>();
        for (T item : items) {
            list.add(item);
        }
        return list;
    }
}
