package io.github.multiproc.internal.launch;

import io.github.multiproc.internal.child.ChildMain;
import io.github.multiproc.internal.os.ProcessStart;
import io.github.multiproc.internal.runtime.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one place that builds a child JVM's command line: this JVM's {@code java}, the default options
 * ({@link #defaultJvmOptions()}), this JVM's {@code multiproc.*} settings ({@link Settings#libraryProperties()}, so
 * that a child forks as its parent would), the class-data archive's option when one applies, the user's options and
 * properties (which win over an inherited setting of the same name), this JVM's class path or module path, the child
 * main class ({@link ChildMain}) and its arguments. Long paths go in an {@code @argfile} (written once per path into
 * the private run directory, and again if something removed it), so that they neither hit the OS's length limit nor
 * fill {@code ps}. The helper JVMs that make the archive get theirs from {@link #helperJvm}.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class LaunchCommand {
    /** Paths longer than this go through an argument file. */
    static final int ARGFILE_THRESHOLD = 1024;
    /** The module of the child main class. */
    private static final String CHILD_MODULE = ChildMain.class.getModule().isNamed()
            ? ChildMain.class.getModule().getName() : "io.github.multiproc";
    /** A standby child's arguments after the main class: channel, key file, parent pid and start, name, "standby". */
    static final int CHANNEL_ARGS = 6;

    /**
     * Default options for child JVMs, chosen for start-up time (see the README's "Settings" for the measurements):
     * C1 only, no perf-data file, and JVM warnings on stderr so they never mix with a program's stdout.
     *
     * <p>And two for a task's first hot loop, which a child runs seconds or less after its start. A loop is compiled
     * in flight after {@value #LOOP_COMPILE_ITERATIONS} iterations rather than the JDK's 60,000, a threshold meant for
     * code that C2 compiles later, which a C1-only child never does (a loop of {@code SharedLongArray.getAndAdd},
     * interpreted at some 75 ns an iteration, ran 4.5 ms before it was compiled). And {@code SharedLongs}' operations,
     * each a {@code VarHandle} chain that C1 takes 2-3 ms to compile wherever it is inlined, are compiled once (by
     * {@code AccessWarmUp}) rather than into every caller: the children's compiler threads had used 8-9 ms of
     * processor each while two fresh children raced on a {@code SharedLongArray}, as much as their loops. Together,
     * measured alternating 16 times each ({@code Workloads shared 100000}): own-slot {@code getAndAdd} medians JDK 17
     * 13.5M ops/s against 10.4M, JDK 25 14.1M against 12.7M; the locked counter 4.5M against 3.05M and 4.35M against
     * 3.28M; fork latency, queues, pipes and events unchanged within the noise.
     */
    static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:Tier3BackEdgeThreshold=" + LaunchCommand.LOOP_COMPILE_ITERATIONS,
            "-XX:CompileCommand=quiet",
            "-XX:CompileCommand=dontinline,io.github.multiproc.internal.ipc.SharedLongs::*",
            "-XX:-UsePerfData",
            "-Xlog:all=warning:stderr");

    /** After how many iterations a child compiles a loop while it runs. */
    static final int LOOP_COMPILE_ITERATIONS = 6000;

    /**
     * The property that names the NIO selector provider. Without it, a JVM's first socket looks the provider up as a
     * service, which opens every jar on the class path (30–60 ms of a cold child with a large class path); children
     * are told this JVM's provider, the one that lookup would find on the same class path.
     */
    static final String SELECTOR_PROVIDER = "java.nio.channels.spi.SelectorProvider";

    /** This JVM's selector provider's class, looked up on first use. */
    private static final class SelectorProviderName {
        static final String NAME = java.nio.channels.spi.SelectorProvider.provider().getClass().getName();
    }

    private final Supplier<Path> runDir;
    private final Supplier<ArchiveUse> archive;
    private final Map<String, Path> argFiles = new ConcurrentHashMap<>();

    /**
     * Creates the launcher of a run directory's children.
     *
     * @param runDir where argument files are written: returns the run directory, made again if it was removed
     * @param archive the class-data archive for children on the class path without options of their own (returns
     *     null where none is used)
     */
    public LaunchCommand(Supplier<Path> runDir, Supplier<ArchiveUse> archive) {
        this.runDir = runDir;
        this.archive = archive;
    }

    /**
     * Returns the java executable this JVM runs on.
     *
     * @return its path
     */
    public static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", Settings.isWindows() ? "java.exe" : "java");
    }

    /**
     * Returns {@code multiproc.jvmOptions} (whitespace-separated; empty for none) if set, else
     * {@link #DEFAULT_JVM_OPTIONS}: the options every child JVM starts with.
     *
     * @return the options
     */
    public static List<String> defaultJvmOptions() {
        String value = System.getProperty("multiproc.jvmOptions");
        if (value == null) {
            return DEFAULT_JVM_OPTIONS;
        }
        return value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
    }

    /**
     * Returns the command line of a task child, pool worker or standby child of this JVM.
     *
     * @param jvmOptions the user's options, after the defaults
     * @param systemProperties the user's properties
     * @param channelAddress where the child connects ({@code unix:<path>} or {@code tcp:<port>})
     * @param keyFile the file with the child's secret
     * @param name the child's name, for {@code ps}
     * @param standby whether it is a standby child, which warms up while it waits for its task
     * @param outlivesParent whether its policy lets it outlive this JVM (not for standby children)
     * @param sharedObjects whether it should ready the operations of shared objects: a task child whose task
     *     carries handles does so as it starts, a standby child while it waits
     * @return the command line
     */
    public List<String> childJvm(List<String> jvmOptions, Map<String, String> systemProperties, String channelAddress,
            Path keyFile, String name, boolean standby, boolean outlivesParent, boolean sharedObjects) {
        ProcessHandle self = ProcessHandle.current();
        List<String> args = new ArrayList<>(List.of(channelAddress, keyFile.toString(), Long.toString(self.pid()),
                Long.toString(ProcessStart.of(self)), name));
        List<String> flags = new ArrayList<>();
        if (standby) {
            flags.add(ChildMain.STANDBY);
        } else if (outlivesParent) {
            flags.add(ChildMain.OUTLIVES_PARENT);
        }
        if (sharedObjects) {
            flags.add(ChildMain.SHARED_OBJECTS);
        }
        if (!flags.isEmpty()) {
            args.add(String.join(",", flags));
        }
        return build(jvmOptions, systemProperties, args);
    }

    /**
     * Returns what two child command lines must share for one child to stand in for the other: all but the channel
     * arguments and the archive's options (the same JVM, only started faster).
     *
     * @param command a standby child's command line from {@link #childJvm}, or {@link #defaultChildJvm()}
     * @return the key
     */
    public static List<String> launchKey(List<String> command) {
        List<String> key = new ArrayList<>(command.subList(0, command.size() - CHANNEL_ARGS));
        key.removeIf(option -> ArchiveFormat.isArchiveOption(option) || ArchiveUse.goesWithTheFile(option));
        return key;
    }

    /**
     * Returns the command line of a default standby child as {@link #childJvm} would build it now, for
     * {@link #launchKey}: the channel arguments are left empty.
     *
     * @return the command line
     */
    public List<String> defaultChildJvm() {
        return build(List.of(), Map.of(), Collections.nCopies(CHANNEL_ARGS, ""));
    }

    /**
     * Returns the command line of a JVM that helps make the class-data archive: the children's default options, then
     * {@code options}, {@code classPath} and {@code main} (a main class and its arguments, or a launcher option such
     * as {@code -version}).
     *
     * @param defaultOptions the children's default options the archive is made for
     * @param options more options
     * @param classPath the class path
     * @param main the main class and its arguments
     * @return the command line
     */
    public static List<String> helperJvm(List<String> defaultOptions, List<String> options, Path classPath,
            String... main) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(defaultOptions);
        command.addAll(options);
        command.add("-cp");
        command.add(classPath.toString());
        command.addAll(List.of(main));
        return command;
    }

    List<String> build(List<String> jvmOptions, Map<String, String> systemProperties, List<String> mainArgs) {
        String classPath = System.getProperty("java.class.path", "");
        String modulePath = System.getProperty("jdk.module.path");
        boolean modular = modulePath != null && !modulePath.isEmpty() && ChildMain.class.getModule().isNamed();
        ArchiveUse cds = !modular && jvmOptions.isEmpty() ? archive.get() : null;
        if (cds != null) {
            classPath = classPath.isEmpty() ? cds.classPathEntry()
                    : cds.classPathEntry() + java.io.File.pathSeparator + classPath;
            jvmOptions = cds.jvmOptions();
        }
        return build(classPath, modulePath, System.getProperty("jdk.module.main"), jvmOptions, systemProperties,
                mainArgs);
    }

    List<String> build(String classPath, String modulePath, String mainModule, List<String> jvmOptions,
            Map<String, String> systemProperties, List<String> mainArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable().toString());
        cmd.addAll(defaultJvmOptions());
        // this JVM's settings, before the user's options: a -D among them, as a systemProperty, wins (the last -D does)
        Settings.libraryProperties().forEach((k, v) -> {
            if (!systemProperties.containsKey(k)) {
                cmd.add("-D" + k + "=" + v);
            }
        });
        if (!systemProperties.containsKey(SELECTOR_PROVIDER)) {
            cmd.add("-D" + SELECTOR_PROVIDER + "=" + SelectorProviderName.NAME); // a -D among jvmOptions still wins
        }
        cmd.addAll(jvmOptions);
        systemProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        boolean modular = modulePath != null && !modulePath.isEmpty() && ChildMain.class.getModule().isNamed();
        if (classPath != null && !classPath.isEmpty()) {
            path(cmd, "-cp", classPath);
        }
        if (modular) {
            path(cmd, "-p", modulePath);
            if (mainModule != null && !mainModule.isEmpty() && !mainModule.equals(CHILD_MODULE)) {
                // the application's own module must be resolved for its lambdas and classes to load
                cmd.add("--add-modules");
                cmd.add(mainModule);
            }
            cmd.add("-m");
            cmd.add(CHILD_MODULE + "/" + ChildMain.class.getName());
        } else {
            cmd.add(ChildMain.class.getName());
        }
        cmd.addAll(mainArgs);
        return cmd;
    }

    private void path(List<String> cmd, String option, String path) {
        if (path.length() <= ARGFILE_THRESHOLD) {
            cmd.add(option);
            cmd.add(path);
        } else {
            cmd.add("@" + argFile(option, path));
        }
    }

    /** The argument file for {@code option path}: the one written before if it is still there (one stat). */
    private Path argFile(String option, String path) {
        String key = option + "\0" + path;
        Path cached = argFiles.get(key);
        if (cached != null && Files.isRegularFile(cached)) {
            return cached;
        }
        // first use, or a /tmp cleaner removed it: a child named a missing one would fail to start
        return argFiles.compute(key, (k, old) -> old != null && Files.isRegularFile(old) ? old : write(option, path));
    }

    private Path write(String option, String path) {
        Path dir = runDir.get();
        try {
            Path file = Files.createTempFile(dir, "args-", ".txt");
            Files.writeString(file, option + "\n" + quote(path) + "\n", StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an argument file in " + dir, e);
        }
    }

    /** Quotes for the java launcher's {@code @argfile} syntax: double quotes, backslash escapes. */
    static String quote(String arg) {
        StringBuilder sb = new StringBuilder(arg.length() + 2).append('"');
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '\\' || c == '"') {
                sb.append('\\');
            } else if (c == '\n') {
                sb.append("\\n");
                continue;
            } else if (c == '\r') {
                sb.append("\\r");
                continue;
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
