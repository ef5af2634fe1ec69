package io.github.multiproc.internal.cluster;

import java.util.List;

/**
 * A node's answer to a {@link NodeCall}: one result per task, in order; or that the node is leaving and ran none of
 * them (the driver deals them elsewhere).
 *
 * @param node the node's address
 * @param parts the results, in the order of the call's tasks; empty if {@code leaving}
 * @param leaving whether the node refused the call because it is leaving
 * @param nanos how long the node took to run the batch, from the call's arrival to its answer
 */
record NodeReply(String node, List<PartResult> parts, boolean leaving, long nanos) {
}
