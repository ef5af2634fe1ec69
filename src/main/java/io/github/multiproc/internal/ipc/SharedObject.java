package io.github.multiproc.internal.ipc;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * What every shared object's handle carries from process to process: the path of its segment. The segment is
 * mapped on first use in each JVM; the JVM that made the object has it from the start and is its creator. The first
 * handle received in a JVM starts {@link AccessWarmUp} there.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public abstract class SharedObject implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final Segment.Kind kind;
    private final String description;
    private transient volatile Segment segment;

    /**
     * An object on scratch memory of this JVM's ({@link Segment#scratch}): no file, no other process, nothing to
     * free; for {@link AccessWarmUp}, which runs the very methods a user's calls run on it.
     *
     * @param scratch the memory
     * @param kind its kind
     * @param description for messages
     */
    SharedObject(Segment scratch, Segment.Kind kind, String description) {
        this.segment = scratch;
        this.path = scratch.path().toString();
        this.kind = kind;
        this.description = description;
    }

    /**
     * Makes a new object's segment in this JVM.
     *
     * @param kind its kind
     * @param bytes the bytes after the common header
     * @param description for messages, for example {@code "ProcessQueue"}
     * @param stateDir the state directory, where the segment goes if there is no {@code /dev/shm}
     */
    protected SharedObject(Segment.Kind kind, long bytes, String description, Path stateDir) {
        this.segment = Segment.create(kind, bytes, description, stateDir);
        used = true;
        this.path = segment.path().toString();
        this.kind = kind;
        this.description = description;
    }

    /**
     * Handles serialized by each thread so far: a task's serializer compares the count before and after, so that a
     * child started for a task that carries handles can ready their operations while its JVM starts.
     */
    private static final ThreadLocal<int[]> WRITTEN = new ThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

    /**
     * Returns how many shared-object handles this thread has serialized so far.
     *
     * @return the count
     */
    public static int handlesWrittenByThisThread() {
        return WRITTEN.get()[0];
    }

    /** Set once a shared object has been made, or a handle received, in this JVM. */
    private static volatile boolean used;

    /**
     * Returns whether this JVM has made a shared object or received a handle: its standby children then ready the
     * operations of shared objects while they wait.
     *
     * @return whether it uses shared objects
     */
    public static boolean usedInThisJvm() {
        return used;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        WRITTEN.get()[0]++;
        out.defaultWriteObject();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        used = true;
        AccessWarmUp.start(); // the handle arrived: its operations will be called here soon
    }

    /**
     * Returns the segment, mapped now if this is its first use in this JVM, after checking that it may be used.
     *
     * @return the segment
     * @throws IllegalStateException if the object is closed, here or by its creator, or its creator ended
     */
    protected final Segment segment() {
        Segment s = mapped();
        s.checkOpen();
        return s;
    }

    /**
     * Returns the segment, mapped now if this is its first use in this JVM, without any check: the caller checks
     * what it needs ({@link Segment#checkUsableHere()} at least, before it touches the memory).
     *
     * @return the segment
     * @throws IllegalStateException if its file cannot be mapped (gone: its creator closed it or ended)
     */
    protected final Segment mapped() {
        Segment s = segment;
        if (s == null) {
            synchronized (this) {
                s = segment;
                if (s == null) {
                    s = Segment.open(Path.of(path), kind, description);
                    segment = s;
                }
            }
        }
        return s;
    }

    /**
     * Closes the object: in its creator for every process (its file is deleted), elsewhere for this JVM only.
     * Idempotent; a handle never used here maps nothing to close it.
     */
    public void close() {
        Segment s = segment;
        if (s == null) {
            synchronized (this) {
                s = segment;
                if (s == null) {
                    s = Segment.closedHere(Path.of(path), description);
                    segment = s;
                    return;
                }
            }
        }
        s.close();
    }

    /** Returns the description and the file, for messages. */
    @Override
    public String toString() {
        return description + " " + path;
    }
}
