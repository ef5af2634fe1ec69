package io.github.multiproc.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A fixture main class (package {@code io.github.multiproc.fixtures}) running in its own JVM, started from
 * {@code java.home} with this JVM's {@code java.class.path} and its own {@code multiproc.stateDir}. Its stdout and
 * stderr lines are collected by daemon threads; its stdout is also inherited by the task children it starts, so their
 * lines arrive here too.
 */
public final class FixtureJvm implements AutoCloseable {
    private final String description;
    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();

    private FixtureJvm(String description, Process process) {
        this.description = description;
        this.process = process;
        collect(process.getInputStream(), stdout, "stdout");
        collect(process.getErrorStream(), stderr, "stderr");
    }

    /**
     * Starts {@code main} in a new JVM.
     *
     * @param stateDir the fixture's {@code multiproc.stateDir}
     * @param main the fixture class
     * @param args its arguments
     * @return the running fixture
     */
    public static FixtureJvm start(Path stateDir, Class<?> main, String... args) throws IOException {
        return start(stateDir, List.of(), main, args);
    }

    /**
     * Starts {@code main} in a new JVM with extra JVM options.
     *
     * @param stateDir the fixture's {@code multiproc.stateDir}
     * @param jvmOptions options before the main class, for example {@code -Dmultiproc.standby=0}
     * @param main the fixture class
     * @param args its arguments
     * @return the running fixture
     */
    public static FixtureJvm start(Path stateDir, List<String> jvmOptions, Class<?> main, String... args)
            throws IOException {
        return startWrapped(List.of(), stateDir, jvmOptions, main, args);
    }

    /**
     * Starts {@code main} in a new JVM whose command line comes after {@code wrapper}, a program that runs it in
     * another setting (for example {@code setpriv ...} with fewer privileges, or {@code unshare ...} in other
     * namespaces).
     *
     * @param wrapper the program and its arguments before {@code java}; empty for none
     * @param stateDir the fixture's {@code multiproc.stateDir}
     * @param jvmOptions options before the main class
     * @param main the fixture class
     * @param args its arguments
     * @return the running fixture
     */
    public static FixtureJvm startWrapped(List<String> wrapper, Path stateDir, List<String> jvmOptions,
            Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(jvmOptions);
        command.add("-Dmultiproc.stateDir=" + stateDir);
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add(main.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        return new FixtureJvm(main.getSimpleName() + " " + String.join(" ", args), process);
    }

    private void collect(InputStream in, List<String> into, String stream) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    into.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "fixture-" + process.pid() + "-" + stream);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Writes a line to the fixture's stdin.
     *
     * @param line the line
     */
    public void tell(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Closes the fixture's stdin: the end of its input. */
    public void endInput() throws IOException {
        process.getOutputStream().close();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Waits for a stdout line that matches.
     *
     * @param matches the line wanted
     * @param timeout the deadline
     * @return the first such line
     */
    public String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        Await.until(timeout, () -> "no such line from " + this,
                () -> stdout.stream().anyMatch(matches) || !process.isAlive());
        return stdout.stream().filter(matches).findFirst()
                .orElseThrow(() -> new AssertionError("exited without such a line: " + this));
    }

    /**
     * Waits for the line {@code READY}.
     *
     * @param timeout the deadline
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        awaitLine("READY"::equals, timeout);
    }

    /**
     * Returns the numbers of the stdout lines {@code "<prefix> <number>"} seen so far.
     *
     * @param prefix for example {@code "CHILD"}
     * @return the numbers, in order
     */
    public List<Long> numbers(String prefix) {
        return stdout.stream()
                .filter(line -> line.startsWith(prefix + " "))
                .map(line -> Long.parseLong(line.substring(prefix.length() + 1).trim()))
                .collect(Collectors.toList());
    }

    /**
     * Returns the stdout lines seen so far.
     *
     * @return a snapshot
     */
    public List<String> stdoutLines() {
        return List.copyOf(stdout);
    }

    /**
     * Returns the stderr lines seen so far.
     *
     * @return a snapshot
     */
    public List<String> stderrLines() {
        return List.copyOf(stderr);
    }

    /**
     * Waits for the JVM to exit.
     *
     * @param timeout the deadline
     * @return its exit code
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("fixture still running after " + timeout + ": " + this);
        }
        return process.exitValue();
    }

    /** Sends the JVM SIGTERM, as {@code kill} or an orchestrator would; returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** Kills the JVM with SIGKILL, as a crash would, and waits until it is gone. */
    public void killForcibly() throws InterruptedException {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return description + " (pid " + process.pid() + ")\n  stdout: " + stdout + "\n  stderr: "
                + String.join("\n    ", stderr);
    }
}
