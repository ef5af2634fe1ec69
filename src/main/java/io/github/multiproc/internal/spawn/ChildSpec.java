package io.github.multiproc.internal.spawn;

import io.github.multiproc.ParentExit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What both builders configure, frozen at {@code start()}. A null redirect means "the default", which differs from
 * an explicit {@code INHERIT} for a task child's stderr (the default forwards it and keeps its tail).
 */
public record ChildSpec(
        String name,
        Path directory,
        Map<String, String> environment,
        ProcessBuilder.Redirect stdin,
        ProcessBuilder.Redirect stdout,
        ProcessBuilder.Redirect stderr,
        Consumer<String> outputSink,
        ParentExit parentExit,
        Duration terminateGrace) {

    public ChildSpec {
        environment = Map.copyOf(environment);
    }
}
