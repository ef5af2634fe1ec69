package io.github.multiproc;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A child process started by {@link Fork}: a task child (a JVM running one serialized task) or a command child (an
 * external program). The handle of Python's {@code multiprocessing.Process} once started.
 *
 * <p>Every child is reaped by the library whether or not {@link #join()} is ever called: no zombie is left behind.
 *
 * <p><b>Collecting.</b> As a POSIX parent keeps an ended child for {@code os.wait()}, this JVM keeps each ended child
 * for {@link Fork#waitAny()} until it is <em>collected</em>. Exactly two things collect a child: {@link #join()}
 * returning (and {@link #join(Duration)} returning a status; an empty return collects nothing), and
 * {@link Fork#waitAny()} or {@link Fork#waitAny(Duration)} returning it. Nothing else does: reading {@link #result()},
 * {@link #future()}, {@link #onExit()}, {@link #exitStatus()} or {@link #isAlive()}, and calling {@link #terminate()},
 * {@link #kill()} or {@link #close()}, leave the child to be returned once by {@code waitAny}. So each child is
 * returned by {@code waitAny} at most once, and never after {@code join} has returned its status. An ended child that
 * is never collected stays in this JVM's memory, result included, as a zombie stays in the process table until its
 * parent waits for it: a program that starts children over and over should {@code join()} each one (or drain them
 * with {@code waitAny}), whether or not it reads their results.
 *
 * <p><b>Result and exit.</b> A task child's value (or failure) is handed out as soon as the child has sent it and
 * everything written to its stderr before that has been forwarded (through {@code System.err}, by the JVM itself,
 * by native code: the child marks the spot in the stream, and this JVM takes the mark out): {@link #result()} and
 * {@link #future()} do not wait for the child JVM's exit, a few milliseconds more, which {@link #join()},
 * {@link #exitStatus()} and {@link #onExit()} report. Where an {@code onOutputLine} sink receives the child's output,
 * and for command children, the result waits for the exit.
 *
 * <p><b>Callbacks.</b> {@link #future()} and {@link #onExit()} are completed, after the library's own bookkeeping, on
 * the library's {@code multiproc-callbacks} thread, shared by all children: dependent actions added without an
 * executor run there, one at a time, so a slow one delays other children's callbacks but never the library's own
 * threads (its timer, which sends SIGKILL after a grace period; the JDK's process reaper; a child's channel and output
 * threads). They complete right after {@link #result()} and {@link #join()} return, not necessarily before. Give
 * blocking actions their own executor (the {@code *Async} variants).
 *
 * <p>Thread safety: all methods may be called from any thread.
 *
 * @param <T> the task's result type; {@code Void} for runnables and commands
 */
public interface ChildProcess<T> extends AutoCloseable {

    /**
     * Returns the operating system's process id of the child.
     *
     * @return the pid
     */
    long pid();

    /**
     * Returns the child's name: as set on the builder, else {@code "child-<n>"} for tasks and the program name for
     * commands.
     *
     * @return the name
     */
    String name();

    /**
     * Returns whether the child is still running (Python's {@code is_alive()}).
     *
     * @return {@code true} until the process has exited
     */
    boolean isAlive();

    /**
     * Waits until the child has exited and returns how (Python's {@code join()}). Collects the child: from then on
     * {@link Fork#waitAny()} does not return it.
     *
     * @return its exit status
     * @throws InterruptedException if interrupted while waiting
     */
    ExitStatus join() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the child to exit. If it returns a status it collects the child, as
     * {@link #join()} does; if the time runs out it collects nothing.
     *
     * @param timeout how long to wait at most; zero or negative checks without waiting
     * @return its exit status, or empty if it is still running when the time is up
     * @throws InterruptedException if interrupted while waiting
     * @throws NullPointerException if {@code timeout} is null
     */
    Optional<ExitStatus> join(Duration timeout) throws InterruptedException;

    /**
     * Returns how the child ended, without waiting (Python's {@code exitcode}).
     *
     * @return its exit status, or empty while it runs
     */
    Optional<ExitStatus> exitStatus();

    /**
     * Waits for the task's value and returns it: for a task child, as soon as the child has sent it (its JVM may
     * still be exiting; see the class comment); for a command child, {@code null} once it exits with status 0. Does
     * not collect the child: once it has ended, {@link Fork#waitAny()} still returns it.
     *
     * @return the value the task returned ({@code null} for runnables and commands)
     * @throws ChildFailedException if the task threw (the cause is the task's own exception), could not be
     *     deserialized in the child, or returned a value that cannot be serialized
     * @throws ChildCrashedException if the child ended without a result (signal, {@code System.exit}, crash), or a
     *     command child exited with a status other than 0
     * @throws java.util.concurrent.CancellationException if {@link #future()} was cancelled
     * @throws InterruptedException if interrupted while waiting
     */
    T result() throws InterruptedException;

    /**
     * Returns a future that completes, when {@link #result()} would return, with the task's value or the exception
     * {@link #result()} would throw. Cancelling it kills the child. The same future is returned by every call.
     *
     * @return the result future
     */
    CompletableFuture<T> future();

    /**
     * Returns a future that completes with the exit status once the child has exited and been reaped.
     *
     * @return the exit future
     */
    CompletableFuture<ExitStatus> onExit();

    /**
     * Asks the child and all its descendants to end: SIGTERM to each now, then SIGKILL to those still alive after the
     * grace period (builder {@code terminateGrace}, default {@code multiproc.terminateGrace}, 2 seconds). Returns at
     * once; use {@link #join()} to wait. Does nothing once the child has exited. Python's {@code terminate()}.
     */
    void terminate();

    /** Kills the child and all its descendants with SIGKILL. Returns at once; does nothing once the child exited. */
    void kill();

    /**
     * Returns the JDK's handle of the child process.
     *
     * @return the process handle
     */
    ProcessHandle toHandle();

    /**
     * Returns the child's standard output.
     *
     * @return the stream to read
     * @throws IllegalStateException unless the child was started with {@code stdout(Redirect.PIPE)}
     */
    InputStream stdout();

    /**
     * Returns the child's standard error.
     *
     * @return the stream to read
     * @throws IllegalStateException unless the child was started with {@code stderr(Redirect.PIPE)}
     */
    InputStream stderr();

    /**
     * Returns the child's standard input.
     *
     * @return the stream to write
     * @throws IllegalStateException unless this is a command child started with {@code stdin(Redirect.PIPE)}
     */
    OutputStream stdin();

    /**
     * Releases the child's streams and threads, killing the child (and its descendants) first if it still runs.
     * Idempotent.
     */
    @Override
    void close();
}
