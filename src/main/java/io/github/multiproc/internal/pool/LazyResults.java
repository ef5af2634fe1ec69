package io.github.multiproc.internal.pool;

import io.github.multiproc.SerializableFunction;
import io.github.multiproc.internal.task.Calls;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Keeps at most {@code window} items in flight and hands out their results in order or as they finish.
 *
 * <p>Thread safety: used by the stream's one consumer thread.
 */
final class LazyResults<T, R> extends Spliterators.AbstractSpliterator<R> {
    private final TaskSink engine;
    private final Object owner;
    private final SerializableFunction<T, R> fn;
    private final Iterator<? extends T> items;
    private final int window;
    private final boolean ordered;
    private final ArrayDeque<CompletableFuture<R>> pending = new ArrayDeque<>();
    private final BlockingQueue<CompletableFuture<R>> finished = new LinkedBlockingQueue<>();

    LazyResults(TaskSink engine, Object owner, SerializableFunction<T, R> fn, Iterator<? extends T> items,
            int window, boolean ordered) {
        super(Long.MAX_VALUE, ordered ? Spliterator.ORDERED : 0);
        this.engine = engine;
        this.owner = owner;
        this.fn = fn;
        this.items = items;
        this.window = window;
        this.ordered = ordered;
    }

    @Override
    public boolean tryAdvance(Consumer<? super R> action) {
        while (pending.size() < window && items.hasNext()) {
            CompletableFuture<R> f = engine.submit(new Calls.Apply(fn, items.next()), owner, false);
            pending.add(f);
            f.whenComplete((v, e) -> finished.add(f));
        }
        if (pending.isEmpty()) {
            return false;
        }
        CompletableFuture<R> next;
        if (ordered) {
            next = pending.poll();
        } else {
            try {
                next = finished.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelAll();
                throw new CancellationException("interrupted while waiting for a result");
            }
            pending.remove(next);
        }
        action.accept(PoolFutures.await(next));
        return true;
    }

    void cancelAll() {
        pending.forEach(f -> f.cancel(false));
        pending.clear();
    }
}
