package io.github.multiproc.internal.reap;

import io.github.multiproc.internal.os.ProcessStart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a pid names one process: a boot of the machine ({@code /proc/sys/kernel/random/boot_id}, its first eight hex
 * digits) and a pid namespace (the inode number of {@code /proc/self/ns/pid}). JVMs in two containers that share
 * {@code /tmp} share the state directory but not their pids: a pid recorded in another namespace means another
 * process here, or none, and must never be judged by it. Either part is empty where it cannot be read (not Linux, an
 * old kernel), and so are both in the records of older versions of this library.
 *
 * <p>Thread safety: immutable.
 *
 * @param boot the boot's short id, or empty
 * @param namespace the pid namespace's inode number, or empty
 */
record PidScope(String boot, String namespace) {
    /** The scope of a record or run directory that names none: judged by pid, as always. */
    static final PidScope UNNAMED = new PidScope("", "");

    /**
     * Reads this process's scope; a part that cannot be read is empty. An empty boot is safe (records are judged by
     * pid and start, as before); the namespace is read with {@code readlink}, which needs no file descriptor and so
     * fails only where there is no such link.
     */
    static PidScope read() {
        String boot;
        try {
            // "c73c7d10-f1e3-4010-86ad-40a7fb724f4a": eight hex digits tell boots apart well enough
            boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            boot = boot.length() >= 8 && boot.substring(0, 8).matches("[0-9a-f]{8}") ? boot.substring(0, 8) : "";
        } catch (IOException | UnsupportedOperationException e) {
            boot = "";
        }
        String namespace;
        try {
            // "pid:[4026531836]"
            namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString().replaceAll("[^0-9]", "");
        } catch (IOException | UnsupportedOperationException e) {
            namespace = "";
        }
        return new PidScope(boot, namespace);
    }

    /**
     * Returns the scope in a file name: {@code <boot>.<namespace>}, each {@code x} when empty; never holds a
     * {@code -}.
     */
    String token() {
        return (boot.isEmpty() ? "x" : boot) + "." + (namespace.isEmpty() ? "x" : namespace);
    }

    /**
     * Parses {@link #token()}.
     *
     * @return the scope, or null if {@code token} is not one
     */
    static PidScope parse(String token) {
        int dot = token.indexOf('.');
        if (dot < 0) {
            return null;
        }
        String boot = token.substring(0, dot);
        String namespace = token.substring(dot + 1);
        if (!boot.matches("x|[0-9a-f]{8}") || !namespace.matches("x|[0-9]+")) {
            return null;
        }
        return new PidScope(boot.equals("x") ? "" : boot, namespace.equals("x") ? "" : namespace);
    }

    /**
     * Tells, from this scope, whether the process {@code pid} that started at {@code start} in {@code recorded}
     * still runs. One from another boot is gone. One from another pid namespace cannot be told: it is never judged
     * by its pid. Otherwise {@link ProcessStart#status} answers.
     *
     * @param recorded the scope of the record or run directory
     * @param pid the recorded pid
     * @param start the recorded start
     * @return what can be told
     */
    ProcessStart.Status status(PidScope recorded, long pid, long start) {
        if (!boot.isEmpty() && !recorded.boot.isEmpty() && !boot.equals(recorded.boot)) {
            return ProcessStart.Status.GONE;
        }
        if (!recorded.namespace.isEmpty() && !recorded.namespace.equals(namespace)) {
            return ProcessStart.Status.UNKNOWN;
        }
        return ProcessStart.status(pid, start);
    }
}
