package io.github.multiproc;

/**
 * What happens to a child when the JVM that started it exits.
 *
 * <p>Thread safety: an enum, immutable.
 */
public enum ParentExit {
    /**
     * The child is ended when this JVM exits: on a normal exit by a shutdown hook (SIGTERM to its process tree, then
     * SIGKILL after the grace period); on a crash or SIGKILL of this JVM, task children notice the lost parent within
     * a second and halt, and command children are left for {@link Fork#orphans()} to find. The default.
     */
    TERMINATE,
    /** On a normal exit this JVM waits for the child to finish (Python's non-daemon default). */
    WAIT,
    /** The child may outlive this JVM; it stays recorded so that {@link Fork#orphans()} can find it. */
    DETACH
}
