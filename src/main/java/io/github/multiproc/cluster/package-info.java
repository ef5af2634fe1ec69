/**
 * The same {@link io.github.multiproc.Pool} on a cluster of machines: {@link io.github.multiproc.cluster.ClusterNode}
 * runs on each machine (a Hazelcast member with a local pool of worker JVMs), and
 * {@link io.github.multiproc.cluster.ClusterPool} deals tasks to the nodes' free worker slots. Needs
 * {@code com.hazelcast:hazelcast} (5.x), an optional dependency that cluster users add themselves.
 */
package io.github.multiproc.cluster;
