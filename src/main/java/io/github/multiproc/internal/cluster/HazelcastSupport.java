package io.github.multiproc.internal.cluster;

import io.github.multiproc.MultiprocException;
import java.util.List;

/**
 * Whether Hazelcast is there, and what it needs. Refers to no Hazelcast class, so that it can say, at once and
 * clearly, that the optional dependency is missing.
 *
 * <p>Thread safety: stateless.
 */
public final class HazelcastSupport {
    /** The dependency a cluster user adds. */
    public static final String DEPENDENCY = "com.hazelcast:hazelcast:5.7.0";
    /**
     * The JVM options Hazelcast asks for on Java 17+ (without them it warns at start and runs slower): pass them to
     * a node's JVM.
     */
    public static final List<String> JVM_OPTIONS = List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    private HazelcastSupport() {
    }

    /**
     * Fails at once unless Hazelcast can be loaded.
     *
     * @param what who needs it, for the message ("ClusterPool", "ClusterNode")
     * @throws MultiprocException naming the dependency to add
     */
    public static void require(String what) {
        try {
            Class.forName("com.hazelcast.core.HazelcastInstance", false, HazelcastSupport.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new MultiprocException(what + " needs Hazelcast, an optional dependency of multiproc: add "
                    + DEPENDENCY + " (<groupId>com.hazelcast</groupId><artifactId>hazelcast</artifactId>"
                    + "<version>5.7.0</version>) to your build; on the module path also --add-modules "
                    + "com.hazelcast.core", e);
        }
    }
}
