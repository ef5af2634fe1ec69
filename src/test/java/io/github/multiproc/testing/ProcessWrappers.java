package io.github.multiproc.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs that start a fixture JVM ({@link FixtureJvm#startWrapped}) in a setting a test cannot make inside its own
 * JVM: fewer privileges, another pid namespace, a {@code /proc} that cannot be read. They need root and util-linux
 * ({@code unshare}, {@code setpriv}, {@code mount}) on Linux; each one is tried first, and a test that needs one that
 * does not work here is skipped, not failed.
 */
public final class ProcessWrappers {
    private ProcessWrappers() {
    }

    /**
     * Returns a wrapper in whose JVM reading {@code /proc/<pid>/stat} fails with "Permission denied", as a transient
     * failure such as "Too many open files" would: the file is covered by an unreadable one in a private mount
     * namespace, and the JVM runs as root without the capabilities that read any file.
     *
     * @param pid the process whose stat file cannot be read
     * @param scratch a directory for the unreadable file
     * @return the wrapper
     */
    public static List<String> procStatUnreadable(long pid, Path scratch) throws IOException, InterruptedException {
        Path unreadable = scratch.resolve("unreadable-stat");
        if (!Files.exists(unreadable)) {
            Files.createFile(unreadable, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "---------")));
        }
        List<String> wrapper = List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$1\" \"$2\" && shift 2 && exec setpriv --bounding-set -dac_override,-dac_read_search"
                + " \"$@\"", "sh", unreadable.toString(), "/proc/" + pid + "/stat");
        String stat = "/proc/" + pid + "/stat";
        Probe probe = run(wrapper, "cat", stat);
        Assumptions.assumeTrue(probe.exit() != 0 && probe.output().contains("Permission denied"),
                () -> "cannot make " + stat + " unreadable here (needs root, unshare, mount, setpriv): " + probe);
        return wrapper;
    }

    /**
     * Returns a wrapper whose JVM may not signal processes of other users: root without {@code CAP_KILL}.
     *
     * @return the wrapper
     */
    public static List<String> withoutKillCapability() throws IOException, InterruptedException {
        List<String> wrapper = List.of("setpriv", "--bounding-set", "-kill");
        Probe probe = run(wrapper, "true");
        Assumptions.assumeTrue(probe.exit() == 0, () -> "setpriv does not work here: " + probe);
        return wrapper;
    }

    /**
     * Returns a wrapper that runs a program as {@code uid} and its group, without supplementary groups.
     *
     * @param uid the user id, which need not have a passwd entry
     * @return the wrapper
     */
    public static List<String> asUid(int uid) throws IOException, InterruptedException {
        List<String> wrapper = List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups");
        Probe probe = run(wrapper, "true");
        Assumptions.assumeTrue(probe.exit() == 0, () -> "cannot run as uid " + uid + " here: " + probe);
        return wrapper;
    }

    /**
     * Returns a wrapper whose JVM runs in a pid namespace of its own (with its own {@code /proc}), as in another
     * container that shares {@code /tmp} with this one; it is killed when the wrapper is.
     *
     * @return the wrapper
     */
    public static List<String> otherPidNamespace() throws IOException, InterruptedException {
        List<String> wrapper = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");
        Probe probe = run(wrapper, "true");
        Assumptions.assumeTrue(probe.exit() == 0, () -> "cannot make a pid namespace here: " + probe);
        return wrapper;
    }

    /** What a probe run printed, stdout and stderr together, and its exit code. */
    private record Probe(int exit, String output) {
    }

    private static Probe run(List<String> wrapper, String... program) throws IOException, InterruptedException {
        Assumptions.assumeTrue(OsProcess.hasProcFs(), "needs Linux");
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(program));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            return Assumptions.abort("cannot run " + command.get(0) + ": " + notInstalled.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Probe(-1, output + " (still running after 10 s)");
        }
        return new Probe(process.exitValue(), output);
    }
}
