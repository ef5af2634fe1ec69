package io.github.multiproc.testing;

import io.github.multiproc.cluster.ClusterNode;
import io.github.multiproc.internal.cluster.HazelcastSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cluster nodes for tests: each a separate JVM running {@link ClusterNode#main} on loopback, started in parallel, each
 * knowing the others' addresses from the start (free ports picked here). {@link #shared()} is one cluster of three,
 * started once and shared by every test of this JVM; fault tests start clusters of their own.
 */
public final class ClusterNodes implements AutoCloseable {
    /** How long a node JVM may take to join and be ready on a loaded two-core machine. */
    public static final Duration START = Duration.ofSeconds(90);
    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static ClusterNodes shared;

    private final String clusterName;
    private final Path stateDir;
    private final List<FixtureJvm> jvms = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();
    /** Node JVM options beyond Hazelcast's: C1 only for tests (short-lived), the JDK's default for benchmarks. */
    private final List<String> jvmOptions;

    private ClusterNodes(String clusterName, Path stateDir, List<String> jvmOptions) {
        this.clusterName = clusterName;
        this.stateDir = stateDir;
        this.jvmOptions = jvmOptions;
    }

    /** The cluster of three nodes (one worker each) that tests share; started on first use, ended at exit. */
    public static synchronized ClusterNodes shared() throws Exception {
        if (shared == null) {
            shared = start(3, 1);
            ClusterNodes s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        }
        return shared;
    }

    /** Starts {@code nodes} node JVMs of a new cluster, in parallel, and waits until each is ready. */
    public static ClusterNodes start(int nodes, int workers) throws Exception {
        return start(nodes, workers, List.of("-XX:TieredStopAtLevel=1"));
    }

    /** As {@link #start(int, int)}, with these node JVM options (besides Hazelcast's and a 256 MB heap). */
    public static ClusterNodes start(int nodes, int workers, List<String> jvmOptions) throws Exception {
        ClusterNodes c = new ClusterNodes("multiproc-test-" + ProcessHandle.current().pid() + "-"
                + CLUSTERS.incrementAndGet(), Files.createTempDirectory("multiproc-cluster-state"), jvmOptions);
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ports.add(freePort());
        }
        List<String> all = new ArrayList<>();
        ports.forEach(p -> all.add("127.0.0.1:" + p));
        try {
            for (int i = 0; i < nodes; i++) {
                c.jvms.add(c.launch(ports.get(i), all, workers));
            }
            for (FixtureJvm jvm : c.jvms) {
                c.addresses.add(ready(jvm));
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Starts one more node of this cluster, joining the others, and waits until it is ready. */
    public String add(int workers) throws Exception {
        int port = freePort();
        List<String> live = new ArrayList<>();
        for (int i = 0; i < jvms.size(); i++) {
            if (ProcessHandle.of(jvms.get(i).pid()).map(ProcessHandle::isAlive).orElse(false)) {
                live.add(addresses.get(i));
            }
        }
        live.add("127.0.0.1:" + port);
        FixtureJvm jvm = launch(port, live, workers);
        jvms.add(jvm);
        String address = ready(jvm);
        addresses.add(address);
        return address;
    }

    private FixtureJvm launch(int port, List<String> members, int workers) throws IOException {
        List<String> options = new ArrayList<>(HazelcastSupport.JVM_OPTIONS);
        options.add("-Xmx256m");
        options.addAll(jvmOptions);
        options.add("-Dmultiproc.standby=0");
        return FixtureJvm.start(stateDir, options, ClusterNode.class, "--cluster-name", clusterName, "--host",
                "127.0.0.1", "--port", Integer.toString(port), "--members", String.join(",", members),
                "--workers", Integer.toString(workers));
    }

    private static String ready(FixtureJvm jvm) throws InterruptedException {
        String line = jvm.awaitLine(l -> l.startsWith("ready "), START);
        return line.substring("ready ".length());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String clusterName() {
        return clusterName;
    }

    /** The nodes' addresses, in the order they were started. */
    public List<String> addresses() {
        return List.copyOf(addresses);
    }

    /** The JVM of node {@code i}. */
    public FixtureJvm jvm(int i) {
        return jvms.get(i);
    }

    @Override
    public void close() {
        jvms.forEach(FixtureJvm::close);
        // the nodes' state directory (their class-data archive, run directories, records) goes with them, once they
        // are gone; their workers watch them and end on their own
        for (FixtureJvm jvm : jvms) {
            ProcessHandle.of(jvm.pid()).ifPresent(p -> {
                try {
                    p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // left to the deletion below, which skips what it cannot remove
                }
            });
        }
        try (java.util.stream.Stream<Path> tree = Files.walk(stateDir)) {
            tree.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory: the system cleans what is left
        }
    }

    @Override
    public String toString() {
        return clusterName + " " + addresses;
    }
}
