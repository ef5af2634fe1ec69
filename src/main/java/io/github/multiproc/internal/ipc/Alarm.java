package io.github.multiproc.internal.ipc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends the sleeps on {@link Doorbell}s that no change ends: a sleeper blocks in a read of its FIFO, which neither a
 * deadline nor an interrupt ends, so this JVM's alarm thread writes it a byte when its deadline has passed, its
 * thread was interrupted, or its doorbell was closed here. The thread looks every {@value #TICK_NANOS} ns while a
 * doorbell sleeps, goes on looking for {@value #LINGER_NANOS} ns after the last (so that a ping-pong of sleeps does
 * not have to wake it for each), and then parks until the next sleep. It starts with the first sleep of the JVM, is a
 * daemon, and never runs a user's code.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class Alarm {
    /** How often the alarm looks at the sleepers, and so how late a deadline or an interrupt may end a sleep. */
    static final long TICK_NANOS = 2_000_000;
    private static final long LINGER_NANOS = 200_000_000;
    private static final Set<Doorbell> WATCHED = ConcurrentHashMap.newKeySet();
    private static volatile Thread thread;
    private static volatile boolean parked;

    private Alarm() {
    }

    /** A thread starts sleeping on {@code bell}. */
    static void watch(Doorbell bell) {
        WATCHED.add(bell);
        Thread t = thread;
        if (t == null) {
            start();
        } else if (parked) {
            LockSupport.unpark(t);
        }
    }

    /** The thread sleeping on {@code bell} woke. */
    static void unwatch(Doorbell bell) {
        WATCHED.remove(bell);
    }

    private static synchronized void start() {
        if (thread == null) {
            Thread t = new Thread(Alarm::run, "multiproc-ipc-alarm");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    private static void run() {
        long lastSleeper = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (!WATCHED.isEmpty()) {
                lastSleeper = now;
                for (Doorbell bell : WATCHED) {
                    bell.wakeIfDue(now);
                }
                LockSupport.parkNanos(TICK_NANOS);
            } else if (now - lastSleeper < LINGER_NANOS) {
                LockSupport.parkNanos(TICK_NANOS);
            } else {
                parked = true;
                if (WATCHED.isEmpty()) {
                    LockSupport.park();
                }
                parked = false;
                lastSleeper = System.nanoTime();
            }
        }
    }
}
