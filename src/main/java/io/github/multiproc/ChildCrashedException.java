package io.github.multiproc;

import java.util.List;

/**
 * A child ended without a result: killed by a signal, {@code System.exit}, {@code Runtime.halt}, an
 * {@link OutOfMemoryError} that took the JVM down, a JVM that could not start, or a lost worker. For a command child,
 * any exit status but 0.
 *
 * <p>Thread safety: immutable once thrown.
 */
public class ChildCrashedException extends MultiprocException {
    private static final long serialVersionUID = 1L;

    /** How the child ended. */
    private final ExitStatus exitStatus;
    /** The child's pid. */
    private final long pid;
    /** The last lines of its stderr ({@link List#copyOf}, which is serializable). */
    @SuppressWarnings("serial")
    private final List<String> stderrTail;

    /**
     * Creates the exception.
     *
     * @param message names the child, its pid and how it ended
     * @param pid the child's pid
     * @param exitStatus how it ended
     * @param stderrTail the last lines it wrote to stderr, where captured (else empty); copied
     * @throws NullPointerException if {@code stderrTail} or one of its lines is null
     */
    public ChildCrashedException(String message, long pid, ExitStatus exitStatus, List<String> stderrTail) {
        super(message);
        this.pid = pid;
        this.exitStatus = exitStatus;
        this.stderrTail = List.copyOf(stderrTail);
    }

    /**
     * Returns how the child ended.
     *
     * @return its exit status
     */
    public ExitStatus exitStatus() {
        return exitStatus;
    }

    /**
     * Returns the pid of the child (for a pool, the worker) that ended.
     *
     * @return the pid
     */
    public long pid() {
        return pid;
    }

    /**
     * Returns the last lines the child wrote to stderr, where they were captured: for task children and pool workers
     * whose stderr was left at its default, and for children with {@code onOutputLine}. Empty otherwise.
     *
     * @return the lines, oldest first; unmodifiable
     */
    public List<String> stderrTail() {
        return stderrTail;
    }
}
