/**
 * The engine behind {@code io.github.multiproc}: one package per concern, none of them exported, and this page is
 * their map. A class is public here only to cross a package; nothing under {@code internal} is API.
 *
 * <h2>Where to look</h2>
 * <table>
 *   <caption>Which package answers which question</caption>
 *   <tr><th>Question</th><th>Package</th><th>Start at</th></tr>
 *   <tr><td>How is a child JVM's command line built (java, default options, class or module path, the class-data
 *       archive, the child main class and its arguments, {@code @argfile}s)?</td>
 *       <td>{@link io.github.multiproc.internal.launch launch}</td><td>{@code LaunchCommand}: the one place;
 *       {@code ArchiveUse} is what the archive adds</td></tr>
 *   <tr><td>How does the channel authenticate, and what crosses it before that?</td>
 *       <td>{@link io.github.multiproc.internal.channel channel}</td><td>{@code ChannelProtocol} (the handshake),
 *       {@code ChannelListener} (the parent's end), {@code ChildChannel} (the child's end)</td></tr>
 *   <tr><td>What is a frame, and how are tasks, values and lists encoded?</td>
 *       <td>{@link io.github.multiproc.internal.wire wire}</td><td>{@code Frame}, {@code FrameIO},
 *       {@code PlainValues}, {@code PackedList}</td></tr>
 *   <tr><td>How does a user's lambda become something a child can run, and how is an unserializable task
 *       refused?</td><td>{@link io.github.multiproc.internal.task task}</td><td>{@code Calls},
 *       {@code TaskPayload}, {@code RemoteThrowable}</td></tr>
 *   <tr><td>What runs inside a child JVM?</td><td>{@link io.github.multiproc.internal.child child}</td>
 *       <td>{@code ChildMain}, {@code TaskLoop}, {@code ParentWatch}, {@code StandbyWarmUp}</td></tr>
 *   <tr><td>How are children started, registered, waited for ({@code waitAny}), kept ready (standbys), and what
 *       happens at this JVM's exit?</td><td>{@link io.github.multiproc.internal.spawn spawn}</td>
 *       <td>{@code Children}, {@code ChildHandle}, {@code Standbys}, {@code ChildRegistry},
 *       {@code ExitHook}</td></tr>
 *   <tr><td>Where is the pool's dispatcher, and what happens when a worker dies?</td>
 *       <td>{@link io.github.multiproc.internal.pool pool}</td><td>{@code PoolEngine}, {@code Dispatcher},
 *       {@code WorkerLoss}, {@code TaskEnds}, {@code PoolMaps}</td></tr>
 *   <tr><td>Where is reaping: the records of children, orphans, the state and run directories?</td>
 *       <td>{@link io.github.multiproc.internal.reap reap}</td><td>{@code ChildRecords}, {@code OrphanReaper},
 *       {@code StateDirectory}, {@code RunDirectory}</td></tr>
 *   <tr><td>How is a pid told from a reused one, and how is a process tree signalled?</td>
 *       <td>{@link io.github.multiproc.internal.os os}</td><td>{@code ProcessStart}, {@code ProcessTree}</td></tr>
 *   <tr><td>How do processes share a queue, a pipe, an event, a lock or memory, and who frees it?</td>
 *       <td>{@link io.github.multiproc.internal.ipc ipc}</td><td>{@code Segment} and {@code SegmentFiles} (the
 *       memory-mapped files and their clean-up), {@code LockWord}, {@code ByteRing}, {@code Waiter},
 *       {@code Doorbell} (a pipe receiver's sleep, woken by another process)</td></tr>
 *   <tr><td>How are child JVMs started faster from a class-data archive or AOT cache?</td>
 *       <td>{@link io.github.multiproc.internal.cds cds}</td><td>{@code ClassDataArchive}</td></tr>
 *   <tr><td>Which system properties does the library read, and which thread runs its timers?</td>
 *       <td>{@link io.github.multiproc.internal.runtime runtime}</td><td>{@code Settings},
 *       {@code LibraryTimer}</td></tr>
 *   <tr><td>How does a pool run on a Hazelcast cluster: the nodes, the driver's scheduler, a lost node?</td>
 *       <td>{@link io.github.multiproc.internal.cluster cluster}</td><td>{@code NodeRuntime} (a node),
 *       {@code ClusterDriver} and {@code Scheduler} (a driver), {@code Outcomes} (what callers see)</td></tr>
 * </table>
 *
 * <h2>Dependency order</h2>
 * Each package uses only packages above it in this list (and the JDK); no two packages depend on each other.
 * <ol>
 *   <li>Child side, loaded by every child JVM: {@code wire}; {@code os}; {@code ipc} (uses os; loaded by a child
 *       that uses a shared object); {@code task} (uses wire); {@code channel} (uses wire); {@code child} (uses
 *       wire, os, task, channel and ipc: a child whose task carries shared objects readies their operations).</li>
 *   <li>Parent side: {@code runtime}; {@code reap} (uses os, runtime); {@code launch} (uses child, os, runtime);
 *       {@code cds} (uses launch, child, reap, os, runtime); {@code spawn} (uses cds, launch, reap, ipc, channel,
 *       wire, os, runtime: ipc to free what killed JVMs left); {@code pool} (uses spawn, channel, task, wire,
 *       runtime); {@code cluster} (uses pool, task, wire: the only engine package that touches Hazelcast, an
 *       optional dependency).</li>
 *   <li>The API package {@code io.github.multiproc} uses spawn, pool, task, child and ipc. The engine uses the API's
 *       vocabulary (its task interfaces, exceptions, {@code ExitStatus}, {@code ParentExit}, {@code PoolStats},
 *       {@code ChildProcess}) but never its entry points ({@code Fork}, {@code Pool}, {@code ProcessPool},
 *       {@code TaskBuilder}, {@code CommandBuilder}, {@code ClusterPool}, {@code ClusterNode}). The API package
 *       {@code io.github.multiproc.cluster} uses cluster, pool, task and spawn.</li>
 * </ol>
 *
 * <h2>The child side</h2>
 * A child JVM must start fast and must not need what the parent's application brings: the child-side packages
 * ({@code wire}, {@code os}, {@code ipc}, {@code task}, {@code channel}, {@code child}) never reference SLF4J or a
 * parent-side package. The parent's end of the channel logs through a {@code ChannelLog} that the parent hands in.
 * {@code ArchitectureTest} checks all of this on the class files, as well as the order above.
 */
package io.github.multiproc.internal;
