package io.github.multiproc;

import static java.util.Objects.requireNonNull;

import io.github.multiproc.internal.child.ChildRuntime;
import io.github.multiproc.internal.spawn.Children;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Starts children and tells this process's own identity: Python's {@code os.fork}, {@code os.wait},
 * {@code os.getpid} and {@code multiprocessing.Process}, for Java.
 *
 * <p>Java cannot fork. A <em>task child</em> is a fresh JVM started with this JVM's {@code java} executable and class
 * path (or module path), which receives one serialized task over a private, authenticated channel, runs it, sends back
 * its value or exception and exits with code 0 (value) or 1 (exception), as Python's {@code spawn} start method does.
 * A <em>command child</em> is an external program. Both are {@link ChildProcess} handles.
 *
 * <pre>{@code
 * ChildProcess<Integer> child = Fork.call(() -> 6 * 7);
 * int answer = child.result();            // 42, as soon as the child has sent it
 * }</pre>
 *
 * <p>Thread safety: every method is safe to call from any thread.
 */
public final class Fork {
    private Fork() {
    }

    /**
     * Returns this process's pid ({@code os.getpid()}).
     *
     * @return the pid
     */
    public static long pid() {
        return ProcessHandle.current().pid();
    }

    /**
     * Returns the pid of this process's parent ({@code os.getppid()}).
     *
     * @return the parent's pid, or empty where the platform cannot tell
     */
    public static OptionalLong ppid() {
        return ProcessHandle.current().parent().map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty());
    }

    /**
     * Returns whether this JVM was started by {@link Fork} (or a process pool) to run tasks.
     *
     * @return {@code true} inside a task child or pool worker
     */
    public static boolean isChild() {
        return ChildRuntime.isChild();
    }

    /**
     * Starts a task child that runs {@code task}, with default settings.
     *
     * @param task the task
     * @return the child
     * @throws NullPointerException if {@code task} is null
     * @throws NotSerializableTaskException if the task cannot be serialized; no process is started
     * @throws MultiprocException if the JVM cannot be started, or the state directory cannot be prepared
     * @throws IllegalArgumentException if the system property {@code multiproc.terminateGrace} is not a valid
     *     ISO-8601 duration
     */
    public static ChildProcess<Void> run(SerializableRunnable task) {
        return task(task).start();
    }

    /**
     * Starts a task child that computes {@code task}, with default settings ({@code os.fork}, done the spawn way).
     *
     * @param task the task
     * @param <T> its result type
     * @return the child; {@link ChildProcess#result()} gives the value
     * @throws NullPointerException if {@code task} is null
     * @throws NotSerializableTaskException if the task cannot be serialized; no process is started
     * @throws MultiprocException if the JVM cannot be started, or the state directory cannot be prepared
     * @throws IllegalArgumentException if the system property {@code multiproc.terminateGrace} is not a valid
     *     ISO-8601 duration
     */
    public static <T> ChildProcess<T> call(SerializableCallable<T> task) {
        return task(task).start();
    }

    /**
     * Starts an external command with default settings: stdin, stdout and stderr inherited from this JVM.
     *
     * @param command the program and its arguments
     * @return the child
     * @throws NullPointerException if {@code command} or an element is null
     * @throws IllegalArgumentException if {@code command} is empty or its program is an empty string, or if the
     *     system property {@code multiproc.terminateGrace} is not a valid ISO-8601 duration
     * @throws MultiprocException if the program cannot be started (the cause is the {@link java.io.IOException}), or
     *     the state directory cannot be prepared
     */
    public static ChildProcess<Void> exec(String... command) {
        return command(command).start();
    }

    /**
     * Returns a builder for a task child that runs {@code task}.
     *
     * @param task the task
     * @return the builder
     * @throws NullPointerException if {@code task} is null
     */
    public static TaskBuilder<Void> task(SerializableRunnable task) {
        requireNonNull(task, "task");
        return new TaskBuilder<>(task);
    }

    /**
     * Returns a builder for a task child that computes {@code task}.
     *
     * @param task the task
     * @param <T> its result type
     * @return the builder
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> TaskBuilder<T> task(SerializableCallable<T> task) {
        requireNonNull(task, "task");
        return new TaskBuilder<>(task);
    }

    /**
     * Returns a builder for an external command.
     *
     * @param command the program and its arguments
     * @return the builder
     * @throws NullPointerException if {@code command} or an element is null
     * @throws IllegalArgumentException if {@code command} is empty or its program is an empty string
     */
    public static CommandBuilder command(String... command) {
        requireNonNull(command, "command");
        return command(List.of(checkCommand(command)));
    }

    /**
     * Returns a builder for an external command.
     *
     * @param command the program and its arguments
     * @return the builder
     * @throws NullPointerException if {@code command} or an element is null
     * @throws IllegalArgumentException if {@code command} is empty or its program is an empty string
     */
    public static CommandBuilder command(List<String> command) {
        requireNonNull(command, "command");
        return new CommandBuilder(List.copyOf(List.of(checkCommand(command.toArray(new String[0])))));
    }

    private static String[] checkCommand(String[] command) {
        if (command.length == 0) {
            throw new IllegalArgumentException("command must not be empty");
        }
        for (int i = 0; i < command.length; i++) {
            requireNonNull(command[i], "command[" + i + "]");
        }
        if (command[0].isEmpty()) {
            throw new IllegalArgumentException("command[0], the program, must not be empty");
        }
        return command;
    }

    /**
     * Returns the children this JVM started through this library that are still alive, oldest first. Pool workers
     * are not included.
     *
     * @return a snapshot
     * @throws MultiprocException if this is the library's first use in this JVM and the state directory cannot be
     *     prepared
     */
    public static List<ChildProcess<?>> activeChildren() {
        return new ArrayList<>(Children.get().active());
    }

    /**
     * Waits until a child started through this library by this JVM has ended and has not been collected yet, collects
     * it and returns it ({@code os.wait()}); its {@code exitStatus()} is then present. A child is collected only by
     * this method (or {@link #waitAny(Duration)}) returning it, or by {@link ChildProcess#join()} (or
     * {@link ChildProcess#join(Duration)}) returning its status; reading its {@code result()}, {@code future()},
     * {@code onExit()} or {@code exitStatus()} does not collect it. So each child is returned once at most: by this
     * method unless {@code join} came first. Pool workers and the library's own helper processes are never returned.
     *
     * @return the child that ended
     * @throws IllegalStateException at once if no child is left to wait for (Python raises
     *     {@code ChildProcessError})
     * @throws InterruptedException if interrupted while waiting
     * @throws MultiprocException if this is the library's first use in this JVM and the state directory cannot be
     *     prepared
     */
    public static ChildProcess<?> waitAny() throws InterruptedException {
        return Children.get().waitAny(null).orElseThrow();
    }

    /**
     * Waits at most {@code timeout} until a child started by this JVM has ended and has not been collected yet,
     * collects it and returns it; see {@link #waitAny()} for which calls collect a child.
     *
     * @param timeout how long to wait at most
     * @return the child that ended, or empty if none ended in time
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException at once if no child is left to wait for
     * @throws InterruptedException if interrupted while waiting
     * @throws MultiprocException if this is the library's first use in this JVM and the state directory cannot be
     *     prepared
     */
    public static Optional<ChildProcess<?>> waitAny(Duration timeout) throws InterruptedException {
        requireNonNull(timeout, "timeout");
        return Children.get().waitAny(timeout);
    }

    /**
     * Lists the processes recorded in the state directory that are still alive although the JVM that started them is
     * gone: {@link ParentExit#DETACH} and {@link ParentExit#WAIT} children, and command children of a JVM that was
     * killed. A process is listed only if its start instant matches the record, so a reused pid, or any process this
     * library did not start, is never listed, nor is a process recorded by a JVM of another pid namespace (another
     * container sharing the state directory). Records of processes that have ended are removed; a record whose process
     * cannot be told alive or gone (a read of {@code /proc} failed, another pid namespace) is kept.
     *
     * @return handles of the orphans
     * @throws MultiprocException if the state directory cannot be prepared
     * @throws java.io.UncheckedIOException if the state directory cannot be listed
     */
    public static List<ProcessHandle> orphans() {
        return Children.get().orphans();
    }

    /**
     * Ends every process {@link #orphans()} lists, with its descendants: SIGTERM, then SIGKILL after the default
     * grace period. Waits until they have ended or the grace period has run out. An orphan that did not end (one this
     * user may not signal) is not counted, and its record is kept: the next {@link #orphans()} lists it again.
     * Also frees the shared objects ({@link ProcessQueue}, {@link Pipe}, {@link ProcessEvent}, {@link ProcessLock},
     * {@link SharedLongArray}, {@link SharedMemory}) of JVMs of this machine that were killed before they could.
     *
     * @return how many orphans were ended
     * @throws MultiprocException if the state directory cannot be prepared
     * @throws java.io.UncheckedIOException if the state directory cannot be listed
     * @throws IllegalArgumentException if the system property {@code multiproc.terminateGrace} is not a valid
     *     ISO-8601 duration
     */
    public static int reapOrphans() {
        return Children.get().reapOrphans();
    }
}
