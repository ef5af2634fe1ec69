/**
 * What runs inside a task child or pool worker JVM: {@code ChildMain}, its main class; {@code TaskLoop}, one task or a
 * worker's stream of tasks, with {@code TaskGate}, where a worker decides whether a cancelled task is skipped or
 * ends it; {@code ParentWatch} and {@code EofWatch}, which end the child when its parent is gone;
 * {@code StderrMark}, the marker written to stderr before a one-shot child answers; {@code StandbyWarmUp}, what a
 * standby child does while it waits; {@code ExitQuietly}, how a child that succeeded ends on JDK 21+ (its main
 * returns: {@code System.exit} would scan the class path); {@code ClassDataTraining}, the main class of the
 * JVM that makes the class-data archive. Never loads SLF4J or parent-side code.
 */
package io.github.multiproc.internal.child;
