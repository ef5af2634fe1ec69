package io.github.multiproc.cluster;

import static java.util.Objects.requireNonNull;

import io.github.multiproc.ChildFailedException;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.SerializableRunnable;
import io.github.multiproc.internal.cluster.HazelcastSupport;
import io.github.multiproc.internal.cluster.NodeOptions;
import io.github.multiproc.internal.cluster.NodeRuntime;
import io.github.multiproc.internal.spawn.SpecBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a cluster: a Hazelcast member that runs the tasks {@link ClusterPool}s deal it in its own local pool of
 * worker JVMs, so that a task that crashes its worker never takes the node down. Run one on each machine:
 *
 * <pre>{@code
 * java --add-opens ... -cp app.jar:multiproc.jar:hazelcast.jar io.github.multiproc.cluster.ClusterNode \
 *      --cluster-name jobs --members 10.0.0.5:5701,10.0.0.6:5701 --workers 8
 * }</pre>
 *
 * <p>Tasks run in the node's worker JVMs, never in the node's own JVM, which never loads a task's class; task classes
 * must be on every node's class path. A node's workers end with it, also when it is killed (they watch their parent
 * like any task child).
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class ClusterNode implements AutoCloseable {
    private final NodeRuntime runtime;

    private ClusterNode(NodeRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Returns a builder for a node.
     *
     * @return a new builder
     * @throws MultiprocException if Hazelcast is not on the class path (the message names the dependency)
     */
    public static Builder builder() {
        HazelcastSupport.require("ClusterNode");
        return new Builder();
    }

    /**
     * Returns the address the node listens on, as drivers and {@link NodeLostException#node()} name it.
     *
     * @return {@code host:port}
     */
    public String address() {
        return runtime.address();
    }

    /**
     * Returns the number of worker JVMs of its local pool.
     *
     * @return at least 1
     */
    public int workers() {
        return runtime.workers();
    }

    /**
     * Leaves the cluster gracefully: new calls are refused (drivers deal them elsewhere), the tasks it runs finish
     * first (for up to 20 s), then it leaves and its workers exit. Idempotent.
     */
    @Override
    public void close() {
        runtime.close();
    }

    @Override
    public String toString() {
        return "ClusterNode[" + address() + ", " + workers() + " workers]";
    }

    /**
     * Runs a node until SIGTERM (or SIGINT), then leaves gracefully and exits with 0. Prints one line,
     * {@code ready <host:port>}, on stdout once it has joined and its workers are ready.
     *
     * <p>Flags: {@code --cluster-name NAME} (required), {@code --port P} (default 5701; 0 for any free port),
     * {@code --members h:p,h:p}, {@code --workers N} (default: available processors), {@code --host H} (the address
     * to listen on; default Hazelcast's choice).
     *
     * @param args the flags
     */
    public static void main(String[] args) {
        Builder b;
        try {
            b = NodeMain.parse(args);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("ClusterNode: " + e.getMessage());
            System.err.println(NodeMain.USAGE);
            System.exit(2);
            return;
        }
        NodeMain.run(b);
    }

    static String nonEmpty(String s, String what) {
        requireNonNull(s, what);
        if (s.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        return s;
    }

    static List<String> hostPorts(String... hostPorts) {
        requireNonNull(hostPorts, "hostPorts");
        List<String> list = new ArrayList<>();
        for (String hp : hostPorts) {
            requireNonNull(hp, "host:port");
            int colon = hp.lastIndexOf(':');
            boolean ok = colon > 0 && colon < hp.length() - 1;
            if (ok) {
                try {
                    int port = Integer.parseInt(hp.substring(colon + 1));
                    ok = port > 0 && port < 65536;
                } catch (NumberFormatException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new IllegalArgumentException("not host:port: '" + hp + "'");
            }
            list.add(hp);
        }
        return list;
    }

    /**
     * Configures a {@link ClusterNode}, then {@link #start()}s it; obtained from {@link ClusterNode#builder()}.
     *
     * <p>Thread safety: not thread-safe; configure it from one thread.
     */
    public static final class Builder {
        /** Hazelcast's usual port. */
        public static final int DEFAULT_PORT = 5701;

        private String clusterName;
        private String host;
        private int port = DEFAULT_PORT;
        private final List<String> members = new ArrayList<>();
        private int workers = Runtime.getRuntime().availableProcessors();
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private SerializableRunnable initializer;
        private int maxTasksPerWorker;

        Builder() {
        }

        /**
         * Sets the cluster's name (required): nodes and drivers of one cluster share it.
         *
         * @param clusterName not empty
         * @return this builder
         * @throws NullPointerException if {@code clusterName} is null
         * @throws IllegalArgumentException if it is empty
         */
        public Builder clusterName(String clusterName) {
            this.clusterName = nonEmpty(clusterName, "clusterName");
            return this;
        }

        /**
         * Sets the address to listen on, e.g. {@code 127.0.0.1} for a cluster on one machine; by default Hazelcast
         * picks one of the machine's addresses.
         *
         * @param host an IP address of this machine
         * @return this builder
         * @throws NullPointerException if {@code host} is null
         * @throws IllegalArgumentException if it is empty
         */
        public Builder host(String host) {
            this.host = nonEmpty(host, "host");
            return this;
        }

        /**
         * Sets the port to listen on; default {@value #DEFAULT_PORT}, 0 for any free port.
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if {@code port} is out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Adds other nodes to join over TCP-IP; with none, the node is alone until others join it.
         *
         * @param hostPorts {@code host:port} of each
         * @return this builder
         * @throws NullPointerException if {@code hostPorts} or one of them is null
         * @throws IllegalArgumentException if one is not {@code host:port}
         */
        public Builder members(String... hostPorts) {
            members.addAll(hostPorts(hostPorts));
            return this;
        }

        /**
         * Sets the number of worker JVMs of the node's local pool; default the number of available processors.
         *
         * @param workers at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code workers} is less than 1
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be positive, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Adds options for the worker JVMs, after the library's defaults.
         *
         * @param options JVM options, each starting with {@code '-'}
         * @return this builder
         * @throws NullPointerException if {@code options} or one of them is null
         * @throws IllegalArgumentException if an option does not start with {@code '-'}
         */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(SpecBuilder.jvmOptions(options));
            return this;
        }

        /**
         * Sets a system property in the worker JVMs.
         *
         * @param key the property's name, not empty, no {@code '='}
         * @param value its value
         * @return this builder
         * @throws NullPointerException if {@code key} or {@code value} is null
         * @throws IllegalArgumentException if {@code key} is empty or contains {@code '='}
         */
        public Builder systemProperty(String key, String value) {
            systemProperties.put(SpecBuilder.systemPropertyKey(key), requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets a task each worker runs once, before its first task.
         *
         * @param initializer the task
         * @return this builder
         * @throws NullPointerException if {@code initializer} is null
         */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * Replaces each worker with a fresh one after it has been given this many tasks; 0 (the default) for no
         * limit.
         *
         * @param max 0 or more
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is negative
         */
        public Builder maxTasksPerWorker(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxTasksPerWorker must not be negative, was " + max);
            }
            this.maxTasksPerWorker = max;
            return this;
        }

        /**
         * Starts the workers, then the member, and returns once it has joined the cluster and its workers are ready.
         *
         * @return the node
         * @throws IllegalStateException if the cluster name was not set
         * @throws ChildFailedException if the initializer failed in a worker
         * @throws MultiprocException if the workers or the member cannot be started (nothing is left running)
         */
        public ClusterNode start() {
            if (clusterName == null) {
                throw new IllegalStateException("clusterName is required");
            }
            return new ClusterNode(NodeRuntime.start(new NodeOptions(clusterName, host, port, members, workers,
                    jvmOptions, systemProperties, initializer, maxTasksPerWorker)));
        }

        @Override
        public String toString() {
            return "ClusterNode.Builder[" + clusterName + ", " + host + ":" + port + ", members " + members + ", "
                    + workers + " workers]";
        }
    }

    /** The command line of {@link #main}. */
    static final class NodeMain {
        static final String USAGE = "usage: java ... io.github.multiproc.cluster.ClusterNode --cluster-name NAME "
                + "[--port P] [--members host:port,host:port] [--workers N] [--host H]";

        private NodeMain() {
        }

        static Builder parse(String[] args) {
            Builder b = new Builder();
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--cluster-name":
                        b.clusterName(value);
                        break;
                    case "--port":
                        b.port(number(flag, value));
                        break;
                    case "--members":
                        b.members(Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                                .toArray(String[]::new));
                        break;
                    case "--workers":
                        b.workers(number(flag, value));
                        break;
                    case "--host":
                        b.host(value);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown flag " + flag);
                }
            }
            if (b.clusterName == null) {
                throw new IllegalArgumentException("--cluster-name is required");
            }
            return b;
        }

        /**
         * Starts {@code leaving} on SIGTERM and SIGINT, through the JDK's {@code sun.misc.Signal} (looked up, as it
         * is not a standard API); false if it is not there.
         */
        private static boolean onSignals(Thread leaving) {
            try {
                Class<?> signal = Class.forName("sun.misc.Signal");
                Class<?> handler = Class.forName("sun.misc.SignalHandler");
                Object h = java.lang.reflect.Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler},
                        (proxy, method, args) -> {
                            if (method.getName().equals("handle") && leaving.getState() == Thread.State.NEW) {
                                leaving.start();
                            }
                            return null;
                        });
                for (String name : List.of("TERM", "INT")) {
                    signal.getMethod("handle", signal, handler).invoke(null,
                            signal.getConstructor(String.class).newInstance(name), h);
                }
                return true;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return false;
            }
        }

        private static int number(String flag, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " needs a number, was '" + value + "'");
            }
        }

        static void run(Builder b) {
            ClusterNode node;
            try {
                node = b.start();
            } catch (RuntimeException e) {
                System.err.println("ClusterNode: " + e.getMessage());
                System.exit(1);
                return;
            }
            java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(1);
            Runnable leave = () -> {
                node.close();
                left.countDown();
            };
            Thread leaving = new Thread(() -> {
                leave.run();
                System.exit(0);
            }, "multiproc-node-leave");
            if (!onSignals(leaving)) {
                // no signal handling here: still leave gracefully at exit (with the JVM's usual exit status)
                Runtime.getRuntime().addShutdownHook(new Thread(leave, "multiproc-node-leave"));
            }
            System.out.println("ready " + node.address());
            System.out.flush();
            try {
                left.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
