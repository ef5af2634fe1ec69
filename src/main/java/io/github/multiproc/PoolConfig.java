package io.github.multiproc;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A pool's settings, frozen by {@link ProcessPool.Builder#build()}. */
record PoolConfig(
        int workers,
        List<String> jvmOptions,
        Map<String, String> systemProperties,
        SerializableRunnable initializer,
        int maxTasksPerWorker,
        Duration taskTimeout,
        ProcessBuilder.Redirect stdout,
        ProcessBuilder.Redirect stderr,
        String name) {

    PoolConfig {
        jvmOptions = List.copyOf(jvmOptions);
        systemProperties = Map.copyOf(systemProperties);
    }
}
