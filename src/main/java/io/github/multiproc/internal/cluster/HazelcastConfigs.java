package io.github.multiproc.internal.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.time.Duration;
import java.util.List;

/**
 * The Hazelcast settings of a node (a member) and of a driver (a client): TCP-IP join, no multicast, logging through
 * SLF4J, no phone-home, and heartbeats tuned so that a node that dies or is cut off leaves within about 10 s.
 *
 * <p>Thread safety: stateless.
 */
final class HazelcastConfigs {
    /** The executor service the library's calls run on, on every node. */
    static final String EXECUTOR = "multiproc";
    /** The member attribute that makes a member a node: its number of worker slots. */
    static final String WORKERS_ATTRIBUTE = "multiproc.workers";
    /** How often members and clients send heartbeats, in seconds. */
    static final int HEARTBEAT_SECONDS = 1;
    /** After how long without a heartbeat a member is taken for dead, in seconds. */
    static final int NO_HEARTBEAT_SECONDS = 5;

    private HazelcastConfigs() {
    }

    /** A node's member: joins {@code members} (host:port) over TCP-IP, listens on {@code host:port}. */
    static Config member(String clusterName, String host, int port, List<String> members, int workers) {
        Config c = new Config();
        c.setClusterName(clusterName);
        c.setInstanceName("multiproc-node-" + clusterName + "-" + System.nanoTime());
        common(c);
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(HEARTBEAT_SECONDS));
        c.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(NO_HEARTBEAT_SECONDS));
        c.setProperty("hazelcast.shutdownhook.enabled", "false"); // the node leaves gracefully itself
        // a node that could not reach the others at start (and formed a cluster of its own) merges soon after
        c.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
        c.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
        NetworkConfig network = c.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(false);
        if (host != null) {
            network.getInterfaces().setEnabled(true).addInterface(host);
            c.setProperty("hazelcast.local.localAddress", host);
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        // a busy member may take a while to accept: taking it for absent would start a cluster of one
        join.getTcpIpConfig().setEnabled(true).setMembers(members).setConnectionTimeoutSeconds(15);
        c.getMemberAttributeConfig().setAttribute(WORKERS_ATTRIBUTE, Integer.toString(workers));
        // a call holds an executor thread while its tasks run: enough for the window of every driver
        c.addExecutorConfig(new ExecutorConfig(EXECUTOR).setPoolSize(Math.max(16, 4 * workers)));
        return c;
    }

    /** A driver's client, connecting to {@code members} and giving up after {@code connectTimeout}. */
    static ClientConfig client(String clusterName, List<String> members, Duration connectTimeout) {
        ClientConfig c = new ClientConfig();
        c.setClusterName(clusterName);
        c.setInstanceName("multiproc-driver-" + clusterName + "-" + System.nanoTime());
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.client.heartbeat.interval", Long.toString(HEARTBEAT_SECONDS * 1000L));
        c.setProperty("hazelcast.client.heartbeat.timeout", Long.toString(NO_HEARTBEAT_SECONDS * 1000L));
        c.setProperty("hazelcast.client.shutdownhook.enabled", "false");
        c.getNetworkConfig().setAddresses(new java.util.ArrayList<>(members));
        c.getConnectionStrategyConfig().getConnectionRetryConfig()
                .setClusterConnectTimeoutMillis(connectTimeout.toMillis());
        return c;
    }

    private static void common(Config c) {
        c.setProperty("hazelcast.logging.type", "slf4j");
        c.setProperty("hazelcast.phone.home.enabled", "false");
    }
}
