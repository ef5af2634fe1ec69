package io.github.multiproc.internal.spawn;

import static java.util.Objects.requireNonNull;

import io.github.multiproc.ParentExit;
import io.github.multiproc.internal.runtime.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The settings both builders share, validated on entry. Not thread-safe. */
public final class SpecBuilder {
    public String name;
    public Path directory;
    public final Map<String, String> environment = new LinkedHashMap<>();
    public ProcessBuilder.Redirect stdin;
    public ProcessBuilder.Redirect stdout;
    public ProcessBuilder.Redirect stderr;
    Consumer<String> outputSink;
    ParentExit parentExit = ParentExit.TERMINATE;
    public Duration terminateGrace;

    public void name(String name) {
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        this.name = name;
    }

    public void directory(Path dir) {
        this.directory = requireNonNull(dir, "dir");
    }

    public void environment(String key, String value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        if (key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment key must be non-empty, without '=' or NUL, was '"
                    + key + "'");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("environment value of " + key + " must not contain NUL");
        }
        environment.put(key, value);
    }

    /** Checks JVM options: each non-null and starting with '-'. */
    public static List<String> jvmOptions(String... options) {
        requireNonNull(options, "options");
        for (int i = 0; i < options.length; i++) {
            String option = requireNonNull(options[i], "options[" + i + "]");
            if (!option.startsWith("-")) {
                throw new IllegalArgumentException("JVM options start with '-', options[" + i + "] was '"
                        + option + "'");
            }
        }
        return List.of(options);
    }

    /** Checks a system property's name: non-empty, no '='. */
    public static String systemPropertyKey(String key) {
        requireNonNull(key, "key");
        if (key.isEmpty() || key.indexOf('=') >= 0) {
            throw new IllegalArgumentException("system property key must be non-empty, without '=', was '"
                    + key + "'");
        }
        return key;
    }

    public static ProcessBuilder.Redirect output(ProcessBuilder.Redirect r, String what) {
        requireNonNull(r, what);
        if (r.type() == ProcessBuilder.Redirect.Type.READ) {
            throw new IllegalArgumentException(what + " must be an output redirect, was " + r);
        }
        return r;
    }

    public void stdin(ProcessBuilder.Redirect r) {
        requireNonNull(r, "stdin");
        if (r.type() == ProcessBuilder.Redirect.Type.WRITE || r.type() == ProcessBuilder.Redirect.Type.APPEND) {
            throw new IllegalArgumentException("stdin must be an input redirect, was " + r);
        }
        this.stdin = r;
    }

    public void onOutputLine(Consumer<String> sink) {
        this.outputSink = requireNonNull(sink, "sink");
    }

    public void onParentExit(ParentExit policy) {
        this.parentExit = requireNonNull(policy, "policy");
    }

    public void terminateGrace(Duration grace) {
        requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("terminateGrace must not be negative, was " + grace);
        }
        this.terminateGrace = grace;
    }

    public ChildSpec build(String defaultName) {
        if (outputSink != null) {
            if (stdout == ProcessBuilder.Redirect.PIPE) {
                throw new IllegalStateException("stdout(PIPE) and onOutputLine both read stdout; choose one");
            }
            if (stderr == ProcessBuilder.Redirect.PIPE) {
                throw new IllegalStateException("stderr(PIPE) and onOutputLine both read stderr; choose one");
            }
        }
        return new ChildSpec(name != null ? name : defaultName, directory, environment, stdin, stdout, stderr,
                outputSink, parentExit, terminateGrace != null ? terminateGrace : Settings.terminateGrace());
    }
}
