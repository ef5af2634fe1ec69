package io.github.multiproc;

import io.github.multiproc.internal.ChildMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The command line of a child JVM: this JVM's {@code java}, the default options, the user's options and properties,
 * this JVM's class path or module path, and the library's child main class. Long paths go in an {@code @argfile}
 * (written once per path into the private run directory), so that they neither hit the OS's length limit nor fill
 * {@code ps}.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class LaunchCommand {
    /** Paths longer than this go through an argument file. */
    static final int ARGFILE_THRESHOLD = 1024;
    private static final String CHILD_MODULE = "io.github.multiproc";

    private final Path runDir;
    private final ClassDataArchive archive;
    private final Map<String, Path> argFiles = new ConcurrentHashMap<>();

    LaunchCommand(Path runDir) {
        this(runDir, null);
    }

    /** With {@code archive} (may be null): children on the class path without options of their own start from it. */
    LaunchCommand(Path runDir, ClassDataArchive archive) {
        this.runDir = runDir;
        this.archive = archive;
    }

    /** The java executable this JVM runs on. */
    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", Settings.isWindows() ? "java.exe" : "java");
    }

    List<String> build(List<String> jvmOptions, Map<String, String> systemProperties, List<String> mainArgs) {
        String classPath = System.getProperty("java.class.path", "");
        String modulePath = System.getProperty("jdk.module.path");
        boolean modular = modulePath != null && !modulePath.isEmpty() && ChildMain.class.getModule().isNamed();
        ClassDataArchive.Use cds = archive != null && !modular && jvmOptions.isEmpty() ? archive.use() : null;
        if (cds != null) {
            classPath = classPath.isEmpty() ? cds.classPathEntry()
                    : cds.classPathEntry() + java.io.File.pathSeparator + classPath;
            jvmOptions = cds.options();
        }
        return build(classPath, modulePath, System.getProperty("jdk.module.main"), jvmOptions, systemProperties,
                mainArgs);
    }

    List<String> build(String classPath, String modulePath, String mainModule, List<String> jvmOptions,
            Map<String, String> systemProperties, List<String> mainArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable().toString());
        cmd.addAll(Settings.defaultJvmOptions());
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

    private Path argFile(String option, String path) {
        return argFiles.computeIfAbsent(option + "\0" + path, key -> {
            try {
                Path file = Files.createTempFile(runDir, "args-", ".txt");
                Files.writeString(file, option + "\n" + quote(path) + "\n", StandardCharsets.UTF_8);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write an argument file in " + runDir, e);
            }
        });
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
