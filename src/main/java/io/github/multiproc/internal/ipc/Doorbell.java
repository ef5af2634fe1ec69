package io.github.multiproc.internal.ipc;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A wake-up from one process to a thread of another that sleeps until something changes in a segment: a thread that
 * would otherwise spin, yield or park takes no processor while it sleeps (leaving it to the peer it waits for and to
 * the JIT compilers that make that peer fast), and wakes as soon as the change is made.
 *
 * <p>The bell is a named pipe (FIFO) next to the segment's file, {@code <segment file>.bell<n>}, mode 0600, made by
 * the segment's creator, in the background ({@link #makeInBackground}). The sleeper writes its process's word into
 * the segment's {@code sleeper} word, looks once more for the change, and reads a byte from the FIFO, which blocks.
 * The one who makes a change swaps that word for 0 after it, and if it found a sleeper, writes a byte. Both the
 * sleeper's write and the changer's swap are volatile, so either the sleeper sees the change or the changer sees the
 * sleeper. A byte written for a sleeper that woke anyway is read at its next sleep, which then returns at once; its
 * caller looks again, as after every sleep. What is written is never read as anything but "wake up", and only this
 * user's processes can open the FIFO, as only they can map the segment: it is no channel, and needs no proof.
 *
 * <p>A blocked read ends only when a byte comes, so a sleep also ends by one from this JVM's {@link Alarm}: at its
 * deadline, when its thread is interrupted, or when this JVM closes the doorbell.
 *
 * <p>Where there is no FIFO (not made yet, no {@code mkfifo}, Windows), {@link #sleep} returns false and the caller
 * waits as it would without one.
 *
 * <p>Thread safety: safe for concurrent use; one thread of a JVM sleeps at a time, and {@link #sleep} returns false to
 * the others.
 */
final class Doorbell {
    /** How many doorbells a segment may have. */
    static final int MAX_BELLS = 2;
    /** How long after a failed open a sleeper tries again: the FIFO may be on its way. */
    private static final long REOPEN_NANOS = 1_000_000;

    private final Segment segment;
    private final int sleeperWord;
    private final Path path;
    private final ReentrantLock sleeping = new ReentrantLock();

    /** This JVM's descriptor of the FIFO to sleep on, opened read-write (which never blocks), or null. */
    private volatile RandomAccessFile fifo;
    private final byte[] knocks = new byte[64];
    private long failedAt;
    private volatile boolean closed;
    /** The descriptor this JVM rings with, opened on the first ring; guarded by {@code this}. */
    private RandomAccessFile ringFifo;
    /** The thread asleep in this JVM, or null. */
    private volatile Thread sleeper;
    private volatile long sleepUntil;

    /**
     * A doorbell of {@code segment}.
     *
     * @param segment the segment
     * @param sleeperWord the offset of the word that names who sleeps
     * @param fifo the FIFO's file
     */
    Doorbell(Segment segment, int sleeperWord, Path fifo) {
        this.segment = segment;
        this.sleeperWord = sleeperWord;
        this.path = fifo;
    }

    /** The FIFO of doorbell {@code n} of the segment at {@code segmentPath}. */
    static Path fifoOf(Path segmentPath, int n) {
        return segmentPath.resolveSibling(segmentPath.getFileName() + ".bell" + n);
    }

    /**
     * Makes the FIFOs of a new segment's doorbells, mode 0600, on a thread of its own: {@code mkfifo} is a process,
     * which takes milliseconds to start, and the creator of a pipe need not wait for it; a sleeper that finds no FIFO
     * yet waits without one. A FIFO made after its segment was closed (its file deleted) is deleted at once, and this
     * JVM's exit waits for the makers ({@link #awaitMakers}) before it deletes its segments' files: none is left.
     *
     * @param segmentFile the segment's file
     * @param fifos their paths
     */
    static void makeInBackground(Path segmentFile, Path... fifos) {
        Thread maker = new Thread(() -> {
            try {
                for (Path fifo : fifos) {
                    make(fifo);
                    if (!Files.exists(segmentFile, LinkOption.NOFOLLOW_LINKS)) {
                        SegmentFiles.delete(fifo); // closed meanwhile: its FIFOs went with it, so must this one
                    }
                }
            } finally {
                MAKERS.remove(Thread.currentThread());
            }
        }, "multiproc-ipc-mkfifo");
        maker.setDaemon(true);
        MAKERS.add(maker);
        maker.start();
    }

    /** The threads making FIFOs now. */
    private static final Set<Thread> MAKERS = ConcurrentHashMap.newKeySet();

    /** How many threads are making FIFOs now. */
    static int makersRunning() {
        return MAKERS.size();
    }

    /**
     * Waits until the FIFOs being made are made, {@code millis} at most in all: at exit, before the segments' files
     * and FIFOs are deleted, so that no {@code mkfifo} makes one after that.
     *
     * @param millis how long to wait at most
     */
    static void awaitMakers(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread maker : MAKERS) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            try {
                maker.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Makes the FIFO and returns once {@code mkfifo} has ended; does nothing where there is no {@code mkfifo}. */
    static void make(Path fifo) {
        try {
            Process p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close(); // its stdin: nothing to hold open until a GC
            p.waitFor();
        } catch (IOException | RuntimeException e) {
            // no mkfifo here: waiters wait without doorbells
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sleeps until rung, or until about {@code nanos} have passed, this thread is interrupted, or the doorbell is
     * closed in this JVM (within {@link Alarm#TICK_NANOS} for the last three).
     *
     * @param changed whether the change waited for is there; looked at once more after this thread is named sleeper
     * @param nanos how long to sleep at most
     * @return false if this doorbell cannot be used now or another thread of this JVM sleeps on it: the caller waits
     *     some other way; true once it slept, was woken, or saw the change (an interrupt is left for the caller)
     */
    boolean sleep(BooleanSupplier changed, long nanos) {
        if (!sleeping.tryLock()) {
            return false;
        }
        try {
            if (closed || !open()) {
                return false;
            }
            segment.putLong(sleeperWord, ThisProcess.WORD);
            boolean slept = true;
            if (!changed.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
                sleepUntil = System.nanoTime() + nanos;
                sleeper = Thread.currentThread();
                Alarm.watch(this);
                try {
                    // all the bytes there are: knocks that came late count as one; -1 only from a plain file
                    slept = fifo.read(knocks) >= 0;
                } catch (IOException e) {
                    slept = false;
                } finally {
                    sleeper = null;
                    Alarm.unwatch(this);
                }
            }
            segment.compareAndSet(sleeperWord, ThisProcess.WORD, 0);
            if (!slept) {
                closed = true; // not a FIFO after all: never sleep here again
            }
            return slept;
        } finally {
            sleeping.unlock();
        }
    }

    /** Opens the FIFO if not yet open; false if it is not there (yet). Under {@code sleeping}. */
    private boolean open() {
        if (fifo != null) {
            return true;
        }
        long now = System.nanoTime();
        if (failedAt != 0 && now - failedAt < REOPEN_NANOS) {
            return false;
        }
        RandomAccessFile f = openFifo();
        if (f == null) {
            failedAt = now;
            return false;
        }
        fifo = f;
        return true;
    }

    /**
     * Opens the FIFO read-write, which never blocks. {@code RandomAccessFile} reads and writes it with one system call
     * and no more, but makes a plain file where there is none: one that it made (the FIFO was deleted just before)
     * is deleted again, and no doorbell uses it.
     */
    private RandomAccessFile openFifo() {
        if (!isFifo()) {
            return null;
        }
        RandomAccessFile f = null;
        try {
            f = new RandomAccessFile(path.toFile(), "rw");
            if (isFifo()) {
                return f;
            }
            f.close();
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException e) {
            closeQuietly(f);
        }
        return null;
    }

    private boolean isFifo() {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** For the {@link Alarm}: wakes the thread of this JVM asleep here if its sleep is due to end. */
    void wakeIfDue(long now) {
        Thread t = sleeper;
        if (t != null && (now - sleepUntil >= 0 || closed || t.isInterrupted())) {
            wakeHere();
        }
    }

    /**
     * Wakes the sleeper, if a thread sleeps. Called after the change is made; costs a volatile read when none
     * sleeps. A sleeper that cannot be reached (its FIFO is gone) is not woken: it wakes at the end of its sleep.
     */
    void ring() {
        long word = segment.getLong(sleeperWord);
        if (word != 0 && segment.compareAndSet(sleeperWord, word, 0)) {
            knock();
        }
    }

    /** Writes one byte into the FIFO. */
    private void knock() {
        if (!knockOn(ringer())) {
            hangUp(); // the FIFO is gone: the sleeper wakes at the end of its sleep
        }
    }

    /** Writes one byte to {@code f}; false if there is no descriptor or it failed. */
    private static boolean knockOn(RandomAccessFile f) {
        if (f == null) {
            return false;
        }
        try {
            f.write(1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized RandomAccessFile ringer() {
        if (ringFifo == null && !closed) {
            ringFifo = openFifo();
        }
        return ringFifo;
    }

    /** Closes the descriptor this JVM rings with, if it has one; a later ring opens it again. */
    synchronized void hangUp() {
        closeQuietly(ringFifo);
        ringFifo = null;
    }

    /**
     * Wakes the thread of this JVM asleep here through the descriptor it reads (opened read-write), which reaches it
     * even once the FIFO's file is deleted.
     */
    private void wakeHere() {
        knockOn(fifo); // a failure means it is closed: the sleep is over
    }

    /** Closes this JVM's descriptors of the FIFO, waking a thread of this JVM that sleeps on it first. */
    void close() {
        closed = true;
        if (sleeper != null) {
            wakeHere();
        }
        hangUp();
        sleeping.lock();
        try {
            closeQuietly(fifo);
            fifo = null;
        } finally {
            sleeping.unlock();
        }
    }

    private static void closeQuietly(RandomAccessFile f) {
        if (f != null) {
            try {
                f.close();
            } catch (IOException e) {
                // closed anyway
            }
        }
    }
}
