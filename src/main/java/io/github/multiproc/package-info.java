/**
 * Python's {@code os.fork}/{@code os.wait}, {@code multiprocessing.Process} and {@code Pool}, for Java.
 *
 * <pre>{@code
 * int answer = Fork.call(() -> 6 * 7).result();            // a fresh JVM computes 42
 * try (ProcessPool pool = ProcessPool.create(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));   // [1, 4, 9], on warm worker JVMs
 * }
 * }</pre>
 *
 * <h2>Map of the API</h2>
 * <ul>
 *   <li>{@link io.github.multiproc.Fork}: start children — {@code call}/{@code run}/{@code task} for task children
 *       (a fresh JVM runs a serializable lambda or object), {@code exec}/{@code command} for external programs — and
 *       this process's identity ({@code pid}, {@code ppid}, {@code isChild}), {@code waitAny} ({@code os.wait}),
 *       {@code activeChildren}, {@code orphans}, {@code reapOrphans}.</li>
 *   <li>{@link io.github.multiproc.TaskBuilder} and {@link io.github.multiproc.CommandBuilder}: name, directory,
 *       environment, redirects, output lines, {@link io.github.multiproc.ParentExit} policy, terminate grace; JVM
 *       options and system properties for tasks, stdin for commands.</li>
 *   <li>{@link io.github.multiproc.ChildProcess}: a started child — {@code join}, {@code result}, {@code future},
 *       {@code onExit}, {@code terminate}, {@code kill}, streams — and {@link io.github.multiproc.ExitStatus}, how it
 *       ended (exit code, signal, Python's wait status).</li>
 *   <li>{@link io.github.multiproc.ProcessPool} and its {@link io.github.multiproc.ProcessPool.Builder}: warm worker
 *       JVMs — {@code apply}, {@code applyAsync}, {@code map}, {@code mapAsync}, {@code imap},
 *       {@code imapUnordered}, {@code starmap}, the lifecycle, and {@link io.github.multiproc.PoolStats}.</li>
 *   <li>Tasks: {@link io.github.multiproc.SerializableCallable}, {@link io.github.multiproc.SerializableRunnable},
 *       {@link io.github.multiproc.SerializableFunction}, {@link io.github.multiproc.SerializableBiFunction}.</li>
 *   <li>Failures, all unchecked under {@link io.github.multiproc.MultiprocException}:
 *       {@link io.github.multiproc.ChildFailedException} (the task threw; its exception is the cause),
 *       {@link io.github.multiproc.ChildCrashedException} (the child ended without a result),
 *       {@link io.github.multiproc.TaskTimeoutException} and
 *       {@link io.github.multiproc.NotSerializableTaskException} (refused before anything starts).</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>Threads.</b> Builders are not thread-safe; every other type is thread-safe or immutable, and each says
 *       which. Each method that takes a callback, and each future, names the thread that runs it.</li>
 *   <li><b>Arguments.</b> A null argument throws {@link java.lang.NullPointerException} unless a method says it is
 *       allowed; invalid values throw {@link java.lang.IllegalArgumentException} naming the parameter.</li>
 *   <li><b>Exceptions.</b> All unchecked, except {@link java.lang.InterruptedException} from the methods that wait
 *       for a child ({@code join}, {@code result}, {@code waitAny}, {@link io.github.multiproc.ProcessPool#join()}).
 *       Timed waits take a {@link java.time.Duration} and return an {@code Optional} or a {@code boolean}.</li>
 *   <li><b>Settings</b> are system properties read when needed: {@code multiproc.stateDir},
 *       {@code multiproc.terminateGrace}, {@code multiproc.jvmOptions}, {@code multiproc.transport} (the README's
 *       "Settings"). Task children and pool workers inherit every {@code multiproc.*} system property of this JVM,
 *       unless their builder sets its own.</li>
 *   <li><b>Modules.</b> A modular application needs only {@code requires io.github.multiproc;}: task children and
 *       workers get its module path and resolve its module, and its lambdas deserialize without {@code opens}.</li>
 * </ul>
 *
 * <p>Everything else — the child's main class, the channel protocol — lives in {@code io.github.multiproc.internal},
 * which the module does not export.
 */
package io.github.multiproc;
