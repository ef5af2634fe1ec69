package io.github.multiproc.internal.child;

/** Whether this JVM is a child started by the library; set by {@link ChildMain} before it runs anything else. */
public final class ChildRuntime {
    private static volatile boolean child;

    private ChildRuntime() {
    }

    /**
     * Returns whether this JVM runs {@link ChildMain}.
     *
     * @return true in task children and pool workers
     */
    public static boolean isChild() {
        return child;
    }

    static void markChild() {
        child = true;
    }
}
