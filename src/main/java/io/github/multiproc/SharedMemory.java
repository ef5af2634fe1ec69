package io.github.multiproc;

import io.github.multiproc.internal.ipc.SharedBytes;
import io.github.multiproc.internal.runtime.Settings;
import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * Bytes in shared memory, Python's {@code multiprocessing.shared_memory.SharedMemory}: made in one JVM, it travels
 * with the tasks that capture it, and every process that has it reads and writes the same bytes.
 *
 * <pre>{@code
 * try (SharedMemory memory = SharedMemory.create(1024)) {
 *     Fork.run(() -> memory.buffer().putInt(0, 42)).await();
 *     int answer = memory.buffer().getInt(0);   // 42
 * }
 * }</pre>
 *
 * <p>The memory is a memory-mapped file ({@code /dev/shm} where it exists, else under the state directory). Unlike
 * Python's, it is freed when the creating JVM closes it or exits, and after a SIGKILL by {@link Fork#reapOrphans()}.
 *
 * <p>Thread safety: safe for concurrent use; what the bytes hold is for the user to guard (with a
 * {@link ProcessLock}, for one). Each {@link #buffer()} is a new buffer with a position and limit of its own.
 */
public final class SharedMemory implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final int MAX_SIZE = Integer.MAX_VALUE - 4096;

    /** @serial the bytes and how to reach them: their segment file, mapped on first use, and the size. */
    private final SharedBytes bytes;

    private SharedMemory(int size) {
        this.bytes = new SharedBytes(size, Settings.stateDir());
    }

    /**
     * Makes memory of zeros.
     *
     * @param bytes how many bytes
     * @return the memory, owned by this JVM
     * @throws IllegalArgumentException if {@code bytes} is not positive or more than one mapping holds
     * @throws IllegalStateException if the shared memory cannot be made
     */
    public static SharedMemory create(int bytes) {
        if (bytes <= 0 || bytes > MAX_SIZE) {
            throw new IllegalArgumentException("bytes must be from 1 to " + MAX_SIZE + ", was " + bytes);
        }
        return new SharedMemory(bytes);
    }

    /**
     * Returns how many bytes there are.
     *
     * @return the size
     */
    public int size() {
        return bytes.size();
    }

    /**
     * Returns a new direct buffer over the bytes, in the platform's native byte order: what is written to it is seen
     * by every process that has this memory.
     *
     * @return a buffer of capacity {@link #size()}, position 0
     * @throws IllegalStateException if the memory is closed, or its creator ended
     */
    public ByteBuffer buffer() {
        return bytes.buffer();
    }

    /**
     * In the JVM that made the memory: frees it, and every later {@link #buffer()} in any process throws
     * {@link IllegalStateException} (buffers already handed out stay usable until they are garbage). Elsewhere: ends
     * this JVM's use of it only. May be called more than once.
     */
    @Override
    public void close() {
        bytes.close();
    }

    /**
     * Returns a description of the memory, naming its shared-memory file.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return bytes.toString();
    }
}
