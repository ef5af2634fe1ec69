package io.github.multiproc.internal.reap;

import io.github.multiproc.MultiprocException;
import io.github.multiproc.internal.os.ProcessStart;
import java.io.IOException;

/**
 * This JVM as its records and its run directory name it: its pid scope, pid and start. Read once; a read of the start
 * that fails fails the call and is tried again by the next, because a start read as 0 would let other JVMs judge this
 * one gone while it runs, and end its children as orphans.
 *
 * <p>Thread safety: immutable; {@link #get()} is safe for concurrent use.
 *
 * @param scope where its pid names it
 * @param pid its pid
 * @param start its start (see {@link ProcessStart})
 */
record ThisJvm(PidScope scope, long pid, long start) {
    private static volatile ThisJvm current;

    /**
     * Returns this JVM's identity.
     *
     * @throws MultiprocException if {@code /proc} cannot be read now
     */
    static ThisJvm get() {
        ThisJvm jvm = current;
        if (jvm == null) {
            try {
                jvm = new ThisJvm(PidScope.read(), ProcessHandle.current().pid(), ProcessStart.ofCurrent());
            } catch (IOException e) {
                throw new MultiprocException("cannot read this JVM's start from /proc: " + e, e);
            }
            current = jvm;
        }
        return jvm;
    }
}
