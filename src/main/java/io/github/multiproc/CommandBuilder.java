package io.github.multiproc;

import io.github.multiproc.internal.spawn.ChildSpec;
import io.github.multiproc.internal.spawn.Children;
import io.github.multiproc.internal.spawn.SpecBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Configures a command child (an external program), then {@link #start()}s it. Obtained from
 * {@link Fork#command(String...)} or {@link Fork#command(List)}. Like {@link ProcessBuilder}, plus names, output
 * lines, a parent-exit policy and the library's reaping.
 *
 * <p>Thread safety: not thread-safe; configure it from one thread. Each {@link #start()} starts a new child.
 */
public final class CommandBuilder {
    private final List<String> command;
    private final SpecBuilder spec = new SpecBuilder();

    CommandBuilder(List<String> command) {
        this.command = command;
    }

    /**
     * Sets the child's name; default the program's file name.
     *
     * @param name the name, not blank
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public CommandBuilder name(String name) {
        spec.name(name);
        return this;
    }

    /**
     * Sets the child's working directory; default this JVM's.
     *
     * @param dir the directory
     * @return this builder
     * @throws NullPointerException if {@code dir} is null
     */
    public CommandBuilder directory(Path dir) {
        spec.directory(dir);
        return this;
    }

    /**
     * Adds a variable to the environment the child inherits from this JVM.
     *
     * @param key the variable's name: not empty, no {@code '='}
     * @param value its value
     * @return this builder
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalArgumentException if the key is empty or contains {@code '='} or NUL, or the value contains NUL
     */
    public CommandBuilder environment(String key, String value) {
        spec.environment(key, value);
        return this;
    }

    /**
     * Redirects the child's stdin; default {@link ProcessBuilder.Redirect#INHERIT}. With
     * {@link ProcessBuilder.Redirect#PIPE}, write it through {@link ChildProcess#stdin()}.
     *
     * @param r the redirect
     * @return this builder
     * @throws NullPointerException if {@code r} is null
     * @throws IllegalArgumentException if {@code r} is an output redirect
     */
    public CommandBuilder stdin(ProcessBuilder.Redirect r) {
        spec.stdin(r);
        return this;
    }

    /**
     * Redirects the child's stdout; default {@link ProcessBuilder.Redirect#INHERIT}. With
     * {@link ProcessBuilder.Redirect#PIPE}, read it from {@link ChildProcess#stdout()}, and read it: a full pipe stops
     * the child.
     *
     * @param r the redirect
     * @return this builder
     * @throws NullPointerException if {@code r} is null
     * @throws IllegalArgumentException if {@code r} is an input redirect
     */
    public CommandBuilder stdout(ProcessBuilder.Redirect r) {
        spec.stdout = SpecBuilder.output(r, "stdout");
        return this;
    }

    /**
     * Redirects the child's stderr; default {@link ProcessBuilder.Redirect#INHERIT}.
     *
     * @param r the redirect
     * @return this builder
     * @throws NullPointerException if {@code r} is null
     * @throws IllegalArgumentException if {@code r} is an input redirect
     */
    public CommandBuilder stderr(ProcessBuilder.Redirect r) {
        spec.stderr = SpecBuilder.output(r, "stderr");
        return this;
    }

    /**
     * Sends each line the child writes to stdout and stderr (those streams not redirected explicitly) to
     * {@code sink}, in order per stream, decoded with the platform's native encoding; the last stderr lines are also
     * kept for {@link ChildCrashedException#stderrTail()}. The sink runs on the child's output threads
     * ({@code multiproc-<name>-stdout} and {@code -stderr}), one call at a time; the output is always drained, so a
     * slow sink slows the child but never deadlocks it. When {@link ChildProcess#join()} returns, every line has been
     * delivered, unless a grandchild still held the stream open two seconds after the child exited.
     *
     * @param sink receives each line, without its line terminator
     * @return this builder
     * @throws NullPointerException if {@code sink} is null
     */
    public CommandBuilder onOutputLine(Consumer<String> sink) {
        spec.onOutputLine(sink);
        return this;
    }

    /**
     * Sets what happens to the child when this JVM exits; default {@link ParentExit#TERMINATE}.
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public CommandBuilder onParentExit(ParentExit policy) {
        spec.onParentExit(policy);
        return this;
    }

    /**
     * Sets how long {@link ChildProcess#terminate()} waits after SIGTERM before it sends SIGKILL; default the system
     * property {@code multiproc.terminateGrace} (an ISO-8601 duration such as {@code PT5S}), else 2 seconds.
     *
     * @param grace the grace period, zero or more
     * @return this builder
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public CommandBuilder terminateGrace(Duration grace) {
        spec.terminateGrace(grace);
        return this;
    }

    /**
     * Starts the program.
     *
     * @return the child's handle
     * @throws IllegalStateException if {@code onOutputLine} is combined with a {@code PIPE} redirect
     * @throws IllegalArgumentException if no {@link #terminateGrace(Duration)} was set and the system property
     *     {@code multiproc.terminateGrace} is not a valid ISO-8601 duration
     * @throws MultiprocException if the program cannot be started (missing, not executable, bad directory; the cause
     *     is the {@link java.io.IOException}), or the state directory cannot be prepared
     */
    public ChildProcess<Void> start() {
        ChildSpec frozen = spec.build(programName(command.get(0)));
        return Children.get().startCommand(command, frozen);
    }

    private static String programName(String program) {
        int slash = Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\'));
        return slash >= 0 && slash < program.length() - 1 ? program.substring(slash + 1) : program;
    }
}
