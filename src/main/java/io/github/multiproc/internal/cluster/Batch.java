package io.github.multiproc.internal.cluster;

import java.util.List;

/**
 * Tasks sent to one node in one call, which the node spreads over its workers.
 *
 * @param id its number in the pool
 * @param node where it went
 * @param parts its tasks, in order
 */
record Batch(long id, NodeSlot node, List<Part> parts) {
}
