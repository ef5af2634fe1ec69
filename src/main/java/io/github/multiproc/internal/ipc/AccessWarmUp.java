package io.github.multiproc.internal.ipc;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets the word operations of shared objects compiled before a user's loop needs them: once per JVM, when the first
 * shared-object handle arrives, a daemon thread, {@code multiproc-ipc-warmup}, calls {@link Segment}'s word
 * operations, the ones every queue, pipe, event, lock and array operation is made of, on scratch memory of its own
 * until they run compiled.
 *
 * <p>Why: a word operation is a {@code VarHandle} call, which the interpreter runs through a chain of
 * {@code LambdaForm} frames, over a microsecond each, and whose first call in a JVM spins classes for another
 * millisecond; and a child JVM starts with its just-in-time compiler's queue full of start-up methods, which delays
 * the compilation of a newly hot method by thousands of calls. The thread takes that on while the child is still
 * busy starting or waiting for its first message. What it gets compiled is the very code the user's calls run:
 * {@link Segment}'s methods, with the {@code VarHandle} chain inlined into them, and {@link SharedLongs}' operations,
 * which a {@code SharedLongArray}'s calls run, on an array of scratch memory (alternating with the build before,
 * {@code Workloads shared 100000}, own-slot getAndAdd from two fresh children: JDK 17 medians 6.2-6.5 M ops/s
 * against 5.4-5.7 M; JDK 25 7.8-8.3 against 6.6-8.2).
 *
 * <p>It stops once a round of operations runs {@value #COMPILED_NANOS_PER_ROUND} ns or less twice in a row
 * (interpreted, a round takes over a millisecond), or after {@value #MAX_ROUNDS} rounds, and yields the processor
 * after each round. Measured in a C1-only child: 20 to 60 rounds, 18 to 28 ms of one processor, once per JVM; the
 * loop thread of a child adding 100,000 times to its slot right after start then used 6 ms of processor instead of
 * 8.5, its first 5,000 adds 3.3 ms instead of 6.5.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class AccessWarmUp {
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** One round: each operation {@value #ROUND} times. */
    private static final int ROUND = 128;
    /** A round this fast runs only compiled operations. */
    private static final long COMPILED_NANOS_PER_ROUND = 100_000;
    private static final int MAX_ROUNDS = 100;
    private static final int WORD = Segment.HEADER;
    private static final int LOCK = Segment.HEADER + 64;

    private AccessWarmUp() {
    }

    /**
     * Starts the thread, unless it was started before in this JVM: when the first handle arrives, or, in a child
     * whose task carries handles or in a standby child with time on its hands, earlier.
     */
    public static void start() {
        start(WHEN_A_HANDLE_ARRIVED);
    }

    /** Why it was started: {@link #start()}'s reason. */
    public static final String WHEN_A_HANDLE_ARRIVED = "a handle arrived";
    /** Why it was started in a child whose task carries handles. */
    public static final String AT_CHILD_START = "the child's task carries handles";
    /** Why it was started in a standby child of a JVM that uses shared objects. */
    public static final String IN_STANDBY = "a standby of a JVM that uses shared objects";

    private static volatile String startedBecause;

    /**
     * Starts the thread, unless it was started before in this JVM.
     *
     * @param why why, for {@link #startedBecause()}
     */
    public static void start(String why) {
        if (STARTED.compareAndSet(false, true)) {
            startedBecause = why;
            Thread thread = new Thread(AccessWarmUp::run, "multiproc-ipc-warmup");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Never starts the thread in this JVM: in the JVM that makes the children's class-data archive or AOT cache,
     * whose record of hot methods a JDK 25 child would otherwise compile from at its start.
     */
    static void neverInThisJvm() {
        STARTED.set(true);
    }

    /**
     * Returns why it was started in this JVM, or null if it was not.
     *
     * @return the reason
     */
    public static String startedBecause() {
        return startedBecause;
    }

    private static void run() {
        Segment scratch = Segment.scratch(128);
        SharedLongs longs = SharedLongs.onScratch(2);
        Waiter waiter = Waiter.forever();
        int fast = 0;
        try {
            for (int round = 0; round < MAX_ROUNDS && fast < 2; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < ROUND; i++) {
                    exercise(scratch, waiter, i);
                    exercise(longs, i);
                }
                fast = System.nanoTime() - start <= COMPILED_NANOS_PER_ROUND ? fast + 1 : 0;
                Thread.yield(); // a user's thread that wants this processor comes first
            }
        } catch (InterruptedException | RuntimeException e) {
            // scratch memory of this thread's own: nothing to tell, the user's calls run as they would have
        }
    }

    /** A {@code SharedLongArray}'s operations, down from the engine's entry points its API calls. */
    private static void exercise(SharedLongs longs, int i) {
        int slot = i & 1;
        longs.getAndAdd(slot, 1);
        longs.compareAndSet(slot, longs.get(slot), i);
        longs.set(slot, 0);
    }

    private static void exercise(Segment scratch, Waiter waiter, int i) throws InterruptedException {
        scratch.checkOpen();
        scratch.putLong(WORD, i);
        scratch.putLongRelease(WORD, scratch.getAndAdd(WORD, 1));
        scratch.compareAndSet(WORD, scratch.getLong(WORD), 0);
        LockWord.lock(scratch, LOCK, waiter);
        LockWord.unlock(scratch, LOCK);
    }
}
