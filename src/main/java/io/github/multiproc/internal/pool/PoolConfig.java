package io.github.multiproc.internal.pool;

import io.github.multiproc.SerializableRunnable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A pool's settings, frozen by {@code ProcessPool.Builder.build()}. */
public record PoolConfig(
        int workers,
        List<String> jvmOptions,
        Map<String, String> systemProperties,
        SerializableRunnable initializer,
        int maxTasksPerWorker,
        Duration taskTimeout,
        ProcessBuilder.Redirect stdout,
        ProcessBuilder.Redirect stderr,
        String name) {

    public PoolConfig {
        jvmOptions = List.copyOf(jvmOptions);
        systemProperties = Map.copyOf(systemProperties);
    }
}
