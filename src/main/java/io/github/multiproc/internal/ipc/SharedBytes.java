package io.github.multiproc.internal.ipc;

import java.nio.file.Path;
import java.nio.ByteBuffer;

/**
 * The engine of {@code SharedMemory}: bytes in a segment, handed out as direct buffers over the mapping.
 *
 * <p>Thread safety: safe for concurrent use; what the buffers hold is the user's to guard.
 */
public final class SharedBytes extends SharedObject {
    private static final long serialVersionUID = 1L;

    private final int size;

    /**
     * Makes zero-filled memory in this JVM.
     *
     * @param size how many bytes
     * @param stateDir the state directory, where it goes if there is no {@code /dev/shm}
     */
    public SharedBytes(int size, Path stateDir) {
        super(Segment.Kind.MEMORY, size, "SharedMemory", stateDir);
        this.size = size;
    }

    /** Returns how many bytes there are. */
    public int size() {
        return size;
    }

    /** Returns a new direct buffer over the bytes, position 0 and limit and capacity {@link #size()}. */
    public ByteBuffer buffer() {
        return segment().data(size);
    }
}
