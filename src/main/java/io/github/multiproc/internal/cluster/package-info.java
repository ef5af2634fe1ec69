/**
 * A pool on a Hazelcast cluster. Node side: {@code NodeRuntime}, a member and its local {@code PoolEngine}, which
 * runs the batches drivers send ({@code NodeCall}) and ends tasks on request ({@code CancelCall}), never loading a
 * user's class ({@code EncodedCall} in the task package does that in the worker). Driver side: {@code ClusterDriver},
 * a client and the pool's life cycle; {@code Scheduler}, which deals tasks ({@code Part}) in batches to the node with
 * the most room ({@code NodeSlot}) and handles lost nodes; {@code Outcomes}, which turns answers into a local pool's
 * values and exceptions. {@code HazelcastSupport} and {@code HazelcastConfigs}: the dependency and its settings.
 */
package io.github.multiproc.internal.cluster;
