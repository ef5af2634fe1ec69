package io.github.multiproc.internal.ipc;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One shared object's memory: a file mapped into every process that uses the object, made by {@link SegmentFiles}.
 * Its first {@value #HEADER} bytes are the header every kind shares: a magic number naming the kind, the closed word
 * (set by the creator's {@code close()}), and the creator's pid and start. Words are read and written through
 * {@link VarHandle}s on the mapped buffer, so their atomic operations are atomic across processes.
 *
 * <p>Thread safety: safe for concurrent use; the words are the shared state, the rest is set once.
 */
public final class Segment {
    /** The bytes of the common header; each kind's own words start here. */
    public static final int HEADER = 64;
    private static final int MAGIC = 0;
    private static final int CLOSED = 8;
    private static final int CREATOR_PID = 16;
    private static final int CREATOR_START = 24;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.nativeOrder());

    private final Path path;
    private final ByteBuffer buffer;
    private final boolean created;
    private final String description;
    /** Set in this JVM only: by its own close() of a segment it did not create, or when the creator is gone. */
    private volatile String unusable;
    /** The word the creator's close poisons, or -1; and the value it writes (see {@link #poisonOnClose}). */
    private volatile int poisonOffset = -1;
    private volatile long poison;

    private Segment(Path path, ByteBuffer buffer, boolean created, String description) {
        this.path = path;
        this.buffer = buffer;
        this.created = created;
        this.description = description;
    }

    /**
     * Makes a zero-filled segment in this JVM, which becomes its creator: it is deleted when this JVM closes it or
     * exits, and {@link SegmentFiles#removeOrphaned} deletes it after a SIGKILL.
     *
     * @param kind the object's kind, part of the file name and the magic number
     * @param bytes the bytes after the header
     * @param description for messages, for example {@code "ProcessQueue"}
     * @param stateDir the state directory, where the file goes if there is no {@code /dev/shm}
     * @return the segment
     * @throws IllegalStateException if the file cannot be made or mapped
     */
    public static Segment create(Kind kind, long bytes, String description, Path stateDir) {
        Path path = SegmentFiles.newPath(kind, stateDir);
        try (FileChannel file = SegmentFiles.createFile(path)) {
            SegmentFiles.fill(file, HEADER + bytes);
            Segment segment = new Segment(path, file.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + bytes), true,
                    description);
            segment.putLong(CREATOR_PID, ThisProcess.PID);
            segment.putLong(CREATOR_START, ThisProcess.START);
            LONGS.setRelease(segment.buffer, MAGIC, kind.magic());
            SegmentFiles.created(segment);
            return segment;
        } catch (IOException | RuntimeException e) {
            SegmentFiles.delete(path);
            throw new IllegalStateException("cannot make the shared memory of a " + description + " at " + path
                    + ": " + e, e);
        }
    }

    /**
     * Maps an existing segment, made by another JVM (or this one) for an object whose handle arrived here.
     *
     * @param path its file
     * @param kind the kind it must be
     * @param description for messages
     * @return the segment
     * @throws IllegalStateException if it is gone (its creator closed it or ended) or is not of that kind
     */
    public static Segment open(Path path, Kind kind, String description) {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Segment segment = new Segment(path, file.map(FileChannel.MapMode.READ_WRITE, 0, file.size()), false,
                    description);
            if (file.size() < HEADER || (long) LONGS.getAcquire(segment.buffer, MAGIC) != kind.magic()) {
                throw new IllegalStateException(description + " " + path + " is not a " + kind + " segment");
            }
            segment.checkOpen();
            OwnerWatch.watch(segment);
            return segment;
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(description + " is closed: its creator closed it or ended (" + path
                    + " is gone)", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot map " + description + " " + path + ": " + e, e);
        }
    }

    /**
     * Returns a segment that maps nothing and is closed in this JVM: what a handle that was never used here becomes
     * when it is closed.
     *
     * @param path its file
     * @param description for messages
     * @return the closed segment
     */
    static Segment closedHere(Path path, String description) {
        Segment segment = new Segment(path, null, false, description);
        segment.unusable = "was closed in this JVM (pid " + ThisProcess.PID + ")";
        return segment;
    }

    /**
     * Returns a segment of private memory that no other process sees, with no file: what {@link AccessWarmUp}
     * exercises the word operations on. Its words are those of a direct buffer, as a mapped segment's are.
     *
     * @param bytes the bytes after the header
     * @return the segment
     */
    static Segment scratch(int bytes) {
        return new Segment(Path.of("scratch"), ByteBuffer.allocateDirect(HEADER + bytes), false, "scratch memory");
    }

    /** The kinds of shared objects, each with its file-name tag. */
    public enum Kind {
        QUEUE, PIPE, EVENT, LOCK, LONGS, MEMORY;

        long magic() {
            return 0x6D70_6970_6300_0000L | ordinal(); // "mpipc" and the kind
        }

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Makes the creator's {@link #close()} write {@code value} into the word at {@code offset} once the segment is
     * marked closed: a word whose every use is a compare-and-set can then tell a closed object by itself.
     *
     * @param offset the word's offset
     * @param value what it holds once closed
     */
    public void poisonOnClose(int offset, long value) {
        this.poison = value;
        this.poisonOffset = offset;
    }

    /**
     * Throws if this JVM knows the segment may not be used (closed here, closed by this JVM as its creator, or its
     * creator gone), without reading the shared closed mark: for fast paths whose shared word says the rest (a
     * poisoned lock word, see {@code LockWord.POISON}).
     *
     * @throws IllegalStateException if so
     */
    public void checkUsableHere() {
        String reason = unusable;
        if (reason != null) {
            throw new IllegalStateException(description + " " + reason);
        }
    }

    /**
     * Throws if the segment may not be used: closed here, closed by its creator (the mark in its header), or its
     * creator gone.
     *
     * @throws IllegalStateException if so
     */
    public void checkOpen() {
        String reason = unusable;
        if (reason != null) {
            throw new IllegalStateException(description + " " + reason);
        }
        if (buffer != null && (long) LONGS.getOpaque(buffer, CLOSED) != 0) {
            throw new IllegalStateException(description + " was closed by its creator (pid " + creatorPid() + ")");
        }
    }

    /**
     * Closes the segment: in its creator, marks it closed for every process and deletes its file; elsewhere, only
     * this JVM's use of it ends. Idempotent.
     */
    public void close() {
        if (buffer == null) {
            return;
        }
        if (created) {
            LONGS.setRelease(buffer, CLOSED, 1L);
            unusable = "was closed by its creator (pid " + ThisProcess.PID + ")";
            int offset = poisonOffset;
            if (offset >= 0) {
                LONGS.getAndSet(buffer, offset, poison); // after the closed mark: who sees it finds the mark set
            }
            SegmentFiles.removed(this);
        } else {
            unusable = "was closed in this JVM (pid " + ThisProcess.PID + ")";
            OwnerWatch.unwatch(this);
        }
    }

    /** Marks the segment unusable here because its creator is gone (called by {@link OwnerWatch}). */
    void creatorGone() {
        if (unusable == null) {
            unusable = "is closed: its creator (pid " + creatorPid() + ") ended";
        }
    }

    /** Returns whether this JVM made the segment. */
    public boolean created() {
        return created;
    }

    /** Returns the segment's file. */
    public Path path() {
        return path;
    }

    long creatorPid() {
        return (long) LONGS.get(buffer, CREATOR_PID);
    }

    long creatorStart() {
        return (long) LONGS.get(buffer, CREATOR_START);
    }

    /**
     * Returns the bytes after the header as a direct buffer of their own, shared with every process.
     *
     * @param length how many
     * @return a new slice
     */
    public ByteBuffer data(int length) {
        return buffer.slice(HEADER, length).order(ByteOrder.nativeOrder());
    }

    /** Returns the whole mapped buffer, header included, for bulk copies. */
    ByteBuffer raw() {
        return buffer;
    }

    // ---- words (offsets count from the start of the segment, header included, and are multiples of 8) ----

    /** Volatile read of the word at {@code offset}. */
    public long getLong(int offset) {
        return (long) LONGS.getVolatile(buffer, offset);
    }

    /** Volatile write of the word at {@code offset}. */
    public void putLong(int offset, long value) {
        LONGS.setVolatile(buffer, offset, value);
    }

    /** Release write of the word at {@code offset}: earlier writes are seen first. */
    public void putLongRelease(int offset, long value) {
        LONGS.setRelease(buffer, offset, value);
    }

    /** Atomic swap; returns the previous value. */
    public long getAndSet(int offset, long value) {
        return (long) LONGS.getAndSet(buffer, offset, value);
    }

    /** Atomic add; returns the previous value. */
    public long getAndAdd(int offset, long delta) {
        return (long) LONGS.getAndAdd(buffer, offset, delta);
    }

    /** Atomic compare and exchange; returns the value found, which is {@code expected} if it was exchanged. */
    public long compareAndExchange(int offset, long expected, long value) {
        return (long) LONGS.compareAndExchange(buffer, offset, expected, value);
    }

    /** Atomic compare and set. */
    public boolean compareAndSet(int offset, long expected, long value) {
        return LONGS.compareAndSet(buffer, offset, expected, value);
    }

    @Override
    public String toString() {
        return description + " " + path;
    }
}
