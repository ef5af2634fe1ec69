/**
 * Reaping (parent side): {@code ChildRecords}, the live children recorded in the state directory, each JVM's in its
 * own append-only {@code ChildJournal} (older versions wrote one file per child, still read); {@code OrphanReaper},
 * which finds and ends the children of JVMs that are gone; {@code StateDirectory}, the private state directory and the
 * clean-up of the run directories left by killed JVMs; {@code RunDirectory}, this JVM's own, made again if something
 * removes it. Journals, records and run directories name their {@code PidScope} (boot and pid namespace), so that JVMs
 * of other containers sharing the directory never judge them by pid. The JDK reaps every child process itself:
 * nothing here waits for "any child" or touches SIGCHLD.
 */
package io.github.multiproc.internal.reap;
