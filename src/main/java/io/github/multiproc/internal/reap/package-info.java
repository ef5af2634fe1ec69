/**
 * Reaping (parent side): {@code ChildRecords}, one file per live child in the state directory;
 * {@code OrphanReaper}, which finds and ends the children of JVMs that are gone; {@code StateDirectory}, the private
 * state and run directories and the clean-up of those left by killed JVMs. The JDK reaps every child process itself:
 * nothing here waits for "any child" or touches SIGCHLD.
 */
package io.github.multiproc.internal.reap;
