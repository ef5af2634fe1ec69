package io.github.multiproc.internal.cluster;

import io.github.multiproc.SerializableRunnable;
import java.util.List;
import java.util.Map;

/**
 * What a node is started with.
 *
 * @param clusterName the Hazelcast cluster's name
 * @param host the address to listen on; null for Hazelcast's choice
 * @param port the port to listen on; 0 for any free one
 * @param members other nodes to join, {@code host:port}
 * @param workers its local pool's worker JVMs
 * @param jvmOptions their JVM options
 * @param systemProperties their system properties
 * @param initializer run once in each worker; may be null
 * @param maxTasksPerWorker tasks before a worker is replaced; 0 for no limit
 */
public record NodeOptions(String clusterName, String host, int port, List<String> members, int workers,
        List<String> jvmOptions, Map<String, String> systemProperties, SerializableRunnable initializer,
        int maxTasksPerWorker) {

    /** Copies the lists and map. */
    public NodeOptions {
        members = List.copyOf(members);
        jvmOptions = List.copyOf(jvmOptions);
        systemProperties = Map.copyOf(systemProperties);
    }
}
