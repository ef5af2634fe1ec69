package io.github.multiproc;

import static java.util.Objects.requireNonNull;

import io.github.multiproc.internal.ipc.SharedObject;
import io.github.multiproc.internal.spawn.ChildSpec;
import io.github.multiproc.internal.spawn.Children;
import io.github.multiproc.internal.spawn.SpecBuilder;
import io.github.multiproc.internal.task.TaskPayload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Configures a task child, then {@link #start()}s it: the Java form of {@code multiprocessing.Process(target=...,
 * name=...)}. Obtained from {@link Fork#task(SerializableCallable)} or {@link Fork#task(SerializableRunnable)}.
 *
 * <p>The child is a fresh JVM: this JVM's {@code java} executable, its class path or module path, the library's
 * default JVM options (see the README's "Settings"), then {@link #jvmOptions(String...)} and
 * {@link #systemProperty(String, String)}. The task travels over a private channel; the child's stdin is empty and
 * its stdout and stderr are this JVM's unless redirected.
 *
 * <p>Thread safety: not thread-safe; configure it from one thread. Each {@link #start()} starts a new child.
 *
 * @param <T> the task's result type
 */
public final class TaskBuilder<T> {
    private final Object task;
    private final SpecBuilder spec = new SpecBuilder();
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> systemProperties = new LinkedHashMap<>();

    TaskBuilder(Object task) {
        this.task = task;
    }

    /**
     * Sets the child's name (Python's {@code name=}); default {@code "child-<n>"}.
     *
     * @param name the name, not blank
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public TaskBuilder<T> name(String name) {
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
    public TaskBuilder<T> directory(Path dir) {
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
    public TaskBuilder<T> environment(String key, String value) {
        spec.environment(key, value);
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
    public TaskBuilder<T> stdout(ProcessBuilder.Redirect r) {
        spec.stdout = SpecBuilder.output(r, "stdout");
        return this;
    }

    /**
     * Redirects the child's stderr. By default it is copied to this JVM's stderr and its last lines are kept for
     * {@link ChildCrashedException#stderrTail()}; an explicit {@link ProcessBuilder.Redirect#INHERIT} hands the child
     * this JVM's stderr directly, without a tail.
     *
     * @param r the redirect
     * @return this builder
     * @throws NullPointerException if {@code r} is null
     * @throws IllegalArgumentException if {@code r} is an input redirect
     */
    public TaskBuilder<T> stderr(ProcessBuilder.Redirect r) {
        spec.stderr = SpecBuilder.output(r, "stderr");
        return this;
    }

    /**
     * Sends each line the child writes to stdout and stderr (those streams not redirected explicitly) to
     * {@code sink}, in order per stream, decoded with the platform's native encoding. The sink runs on the child's
     * output threads ({@code multiproc-<name>-stdout} and {@code -stderr}), one call at a time; the output is always
     * drained, so a slow sink slows the child but never deadlocks it. When {@link ChildProcess#join()} returns, every
     * line has been delivered, unless a grandchild still held the stream open two seconds after the child exited.
     *
     * @param sink receives each line, without its line terminator
     * @return this builder
     * @throws NullPointerException if {@code sink} is null
     */
    public TaskBuilder<T> onOutputLine(Consumer<String> sink) {
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
    public TaskBuilder<T> onParentExit(ParentExit policy) {
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
    public TaskBuilder<T> terminateGrace(Duration grace) {
        spec.terminateGrace(grace);
        return this;
    }

    /**
     * Adds options for the child JVM, after the library's defaults (so they win where they conflict), for example
     * {@code "-Xmx2g"} or {@code "--add-opens=java.base/java.lang=ALL-UNNAMED"}.
     *
     * @param options JVM options, each one argument
     * @return this builder
     * @throws NullPointerException if {@code options} or one of them is null
     * @throws IllegalArgumentException if an option does not start with {@code '-'}
     */
    public TaskBuilder<T> jvmOptions(String... options) {
        jvmOptions.addAll(SpecBuilder.jvmOptions(options));
        return this;
    }

    /**
     * Sets a system property in the child JVM ({@code -Dkey=value}). The child also gets every {@code multiproc.*}
     * system property of this JVM; one set here wins over this JVM's of the same name.
     *
     * @param key the property's name, not empty
     * @param value its value
     * @return this builder
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalArgumentException if {@code key} is empty or contains {@code '='}
     */
    public TaskBuilder<T> systemProperty(String key, String value) {
        systemProperties.put(SpecBuilder.systemPropertyKey(key), requireNonNull(value, "value"));
        return this;
    }

    /**
     * Starts the child (Python's {@code Process.start()}): serializes the task, then launches the JVM. Returns once
     * the process is running; the task's outcome arrives through {@link ChildProcess#result()}.
     *
     * @return the child's handle
     * @throws NotSerializableTaskException if the task cannot be serialized; no process is started
     * @throws IllegalStateException if {@code onOutputLine} is combined with a {@code PIPE} redirect
     * @throws IllegalArgumentException if no {@link #terminateGrace(Duration)} was set and the system property
     *     {@code multiproc.terminateGrace} is not a valid ISO-8601 duration
     * @throws MultiprocException if the JVM cannot be started, or the state directory cannot be prepared
     */
    public ChildProcess<T> start() {
        int handles = SharedObject.handlesWrittenByThisThread();
        byte[] payload = TaskPayload.serialize(task);
        boolean sharedObjects = SharedObject.handlesWrittenByThisThread() != handles;
        ChildSpec frozen = spec.build(Children.nextTaskName());
        return Children.get().startTask(payload, TaskPayload.describe(task), List.copyOf(jvmOptions),
                Map.copyOf(systemProperties), frozen, sharedObjects);
    }
}
