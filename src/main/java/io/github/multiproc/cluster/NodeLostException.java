package io.github.multiproc.cluster;

import io.github.multiproc.MultiprocException;

/**
 * The cluster node running a task left before it answered: it died, was cut off, or was shut down without finishing
 * it. Only the tasks that node held fail so (or run again elsewhere, see {@link ClusterPool.Builder#retryOnNodeLoss});
 * the pool goes on with the other nodes.
 */
public class NodeLostException extends MultiprocException {
    private static final long serialVersionUID = 1L;

    /** The node's address, {@code host:port}. */
    private final String node;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the task and the node
     * @param node the node's address, {@code host:port}
     */
    public NodeLostException(String message, String node) {
        super(message);
        this.node = node;
    }

    /**
     * Returns the address of the node that was lost.
     *
     * @return {@code host:port}, as in its {@code ready} line, {@link ClusterNode#address()} and
     *     {@link ClusterPool#nodes()}
     */
    public String node() {
        return node;
    }
}
