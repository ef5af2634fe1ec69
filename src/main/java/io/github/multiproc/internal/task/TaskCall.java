package io.github.multiproc.internal.task;

/**
 * What the parent sends as a task: the user's callable, runnable or function with its argument, adapted to one call.
 */
public interface TaskCall extends java.io.Serializable {
    /**
     * Runs the task.
     *
     * @return its value; null for runnables
     * @throws Exception whatever the task throws
     */
    Object call() throws Exception;
}
