/**
 * Starting children and keeping track of them (parent side): {@code Children}, the entry for task children, pool
 * workers and commands; {@code ChildHandle}, the one {@code ChildProcess}; {@code TaskChannel}, a one-shot child's
 * channel; {@code Standbys}, child JVMs started before they are needed; {@code ChildRegistry}, the live and unwaited
 * children behind {@code waitAny}; {@code ExitHook}, each child's {@code ParentExit} policy at this JVM's exit;
 * {@code OutputPump}, a child's output drained on threads of its own (taking out the marker a child writes to its
 * stderr before it answers); {@code StderrGate}, which holds an early answer until that marker is met;
 * {@code UserCallbacks}, the one thread that
 * completes the futures users hold; {@code ChildFailures}, the exceptions {@code result()} throws.
 */
package io.github.multiproc.internal.spawn;
