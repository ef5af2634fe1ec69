/**
 * What the operating system tells about processes (child side): {@code ProcessStart}, a process's start instant,
 * which tells a live process from a reused pid; {@code ProcessTree}, SIGTERM and SIGKILL to a process and all its
 * descendants; {@code IdleProcessors}, how many processors were idle over a span of time (Linux); {@code RunQueue},
 * whether more threads are ready to run than there are processors (Linux). Uses only the JDK; the parent hands in
 * the timer that sends a delayed SIGKILL.
 */
package io.github.multiproc.internal.os;
