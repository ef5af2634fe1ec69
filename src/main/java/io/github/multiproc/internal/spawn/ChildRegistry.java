package io.github.multiproc.internal.spawn;

import io.github.multiproc.ChildProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * Which of this JVM's children are alive, which have ended but not been waited for ({@code Fork.waitAny()}), and
 * which are pool workers (children, but not the user's).
 *
 * <p>Thread safety: safe for concurrent use; the sets are guarded by {@link #lock}.
 */
final class ChildRegistry {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ended = lock.newCondition();
    /** Alive: started and not finished. */
    private final Set<ChildHandle<?>> live = new LinkedHashSet<>();
    /** Not yet returned by waitAny or join: alive or ended. */
    private final Set<ChildHandle<?>> unwaited = new LinkedHashSet<>();
    /** Pool workers: children, but not the user's; ended at exit. */
    private final Set<ChildHandle<?>> hidden = new LinkedHashSet<>();

    /** Adds a started child: one of the user's ({@code visible}), or a pool worker. */
    void track(ChildHandle<?> child, boolean visible) {
        lock.lock();
        try {
            if (visible) {
                live.add(child);
                unwaited.add(child);
            } else {
                hidden.add(child);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The child has ended and been reaped: wakes {@link #waitAny}. */
    void finished(ChildHandle<?> child) {
        lock.lock();
        try {
            live.remove(child);
            hidden.remove(child);
            ended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The child was collected by {@code join}: {@link #waitAny} no longer returns it. */
    void collected(ChildHandle<?> child) {
        lock.lock();
        try {
            unwaited.remove(child);
        } finally {
            lock.unlock();
        }
    }

    /** The user's live children, oldest first. */
    List<ChildHandle<?>> active() {
        lock.lock();
        try {
            return live.stream().sorted(Comparator.comparingLong(ChildHandle::serial)).collect(Collectors.toList());
        } finally {
            lock.unlock();
        }
    }

    /** The user's live children, oldest first, then the live pool workers. */
    List<ChildHandle<?>> activeAndWorkers() {
        List<ChildHandle<?>> all = active();
        lock.lock();
        try {
            all.addAll(hidden);
        } finally {
            lock.unlock();
        }
        return new ArrayList<>(all);
    }

    /** See {@code Fork.waitAny}; {@code timeout} null waits for ever. */
    Optional<ChildProcess<?>> waitAny(Duration timeout) throws InterruptedException {
        long nanos = timeout == null ? Long.MAX_VALUE : Math.max(0, timeout.toNanos());
        lock.lockInterruptibly();
        try {
            while (true) {
                if (unwaited.isEmpty()) {
                    throw new IllegalStateException(
                            "no child to wait for: every child this JVM started has been waited for already");
                }
                for (ChildHandle<?> child : unwaited) {
                    if (child.ended()) {
                        unwaited.remove(child);
                        return Optional.of(child);
                    }
                }
                if (timeout == null) {
                    ended.await();
                } else {
                    if (nanos <= 0) {
                        return Optional.empty();
                    }
                    nanos = ended.awaitNanos(nanos);
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
