package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.internal.reap.RecordedChildren;
import io.github.multiproc.testing.ItProperties;
import io.github.multiproc.testing.OsProcess;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The library as a user gets it: a dependency of a separate Maven project. The pom has installed the packaged jar
 * and pom into a local repository of the ITs' own ({@code target/it-repository}); this test builds the consumer
 * project ({@code src/it/consumer}, copied to {@code target/it/consumer}) with the Maven that runs this build, so the
 * library and its {@code slf4j-api} dependency reach it through ordinary dependency resolution; then it runs the
 * consumer's main on the class path and as a named module on the module path. Each run forks a task and maps on a
 * pool, and must exit with code 0 leaving no child process behind.
 *
 * <p>The consumer's build copies plugins from this build's local repository (a {@code file:} repository,
 * {@code multiproc.it.upstream}), so it needs the network only for what that lacks.
 */
@Timeout(300)
final class ConsumerProjectIT {
    private static final Duration BUILD_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    private static final String MAIN = "example.consumer.Main";
    private static final String MODULE = "example.consumer";

    private static Path work;
    private static Path consumer;

    @BeforeAll
    static void buildConsumer() throws Exception {
        String version = ItProperties.get("multiproc.it.version");
        work = Path.of(ItProperties.get("multiproc.it.work")).toAbsolutePath();
        consumer = work.resolve("consumer");
        deleteTree(consumer);
        copyTree(Path.of(ItProperties.get("multiproc.it.fixture")), consumer);
        // a project root of its own: the consumer must not pick up this repository's .mvn/ settings
        Files.createDirectories(consumer.resolve(".mvn"));

        List<String> command = List.of(mavenExecutable(), "-B", "-ntp", "-q",
                "-f", consumer.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + Path.of(ItProperties.get("multiproc.it.repository")).toAbsolutePath(),
                "-Dmultiproc.version=" + version,
                "-Dmultiproc.it.upstream=" + Path.of(ItProperties.get("multiproc.it.upstream")).toUri(),
                "package");
        Path log = work.resolve("consumer-build.log");
        ProcessBuilder build = new ProcessBuilder(command).directory(consumer.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        build.environment().put("JAVA_HOME", System.getProperty("java.home"));
        int code = waitFor(build.start(), BUILD_TIMEOUT, command);
        assertThat(code).as("%s exited with %d:%n%s", String.join(" ", command), code, Files.readString(log))
                .isZero();

        // resolved from the ITs' repository, so the very jar this build made and not a stale copy
        Path lib = consumer.resolve("target/lib");
        Path resolved = lib.resolve("multiproc-" + version + ".jar");
        assertThat(resolved).exists().hasSameBinaryContentAs(Path.of(ItProperties.get("multiproc.it.jar")));
        // the installed pom declares the library's one runtime dependency
        try (Stream<Path> jars = Files.list(lib)) {
            assertThat(jars.map(p -> p.getFileName().toString()))
                    .hasSize(2).anyMatch(n -> n.matches("slf4j-api-[0-9.]+\\.jar"));
        }
    }

    @Test
    void classPath_callAndMap_printResultsAndLeaveNoChild() throws Exception {
        String classPath = Stream.concat(Stream.of(consumer.resolve("target/consumer.jar")), libJars().stream())
                .map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        Run run = Run.start("class-path", "-cp", classPath, MAIN);
        run.assertSucceeded("null");
    }

    @Test
    void modulePath_callAndMap_printResultsAndLeaveNoChild() throws Exception {
        String modulePath = consumer.resolve("target/consumer.jar") + File.pathSeparator
                + consumer.resolve("target/lib");
        Run run = Run.start("module-path", "-p", modulePath, "-m", MODULE + "/" + MAIN);
        run.assertSucceeded(MODULE);
    }

    private static List<Path> libJars() throws IOException {
        try (Stream<Path> jars = Files.list(consumer.resolve("target/lib"))) {
            return jars.sorted().collect(Collectors.toList());
        }
    }

    /** One run of the consumer's main in its own JVM, with a state directory of its own. */
    private static final class Run {
        private final String mode;
        private final long pid;
        private final int exitCode;
        private final Path stateDir;
        private final List<String> stdout;
        private final String stderr;

        private Run(String mode, long pid, int exitCode, Path stateDir, List<String> stdout, String stderr) {
            this.mode = mode;
            this.pid = pid;
            this.exitCode = exitCode;
            this.stateDir = stateDir;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        static Run start(String mode, String... launch) throws IOException, InterruptedException {
            Path stateDir = work.resolve("state-" + mode);
            deleteTree(stateDir);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Dmultiproc.stateDir=" + stateDir);
            command.addAll(List.of(launch));
            Path out = work.resolve(mode + ".out");
            Path err = work.resolve(mode + ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(consumer.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Process process = pb.start();
            int code = waitFor(process, RUN_TIMEOUT, command);
            return new Run(mode, process.pid(), code, stateDir, Files.readAllLines(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        }

        void assertSucceeded(String module) {
            assertThat(exitCode).as("exit code; %s", this).isZero();
            assertThat(line("PARENT")).as("%s", this).isEqualTo(pid + " module=" + module);
            assertThat(line("CALL")).as("%s", this).isEqualTo("module=" + module + " child=true ppid=" + pid);
            Matcher child = Pattern.compile("(\\d+) exit code 0").matcher(line("CHILD"));
            assertThat(child.matches()).as("%s", this).isTrue();
            assertThat(line("MAP")).as("%s", this).isEqualTo("[1, 4, 9, 16, 25, 36, 49, 64, 81, 100]");
            List<Long> workers = Stream.of(line("WORKERS").split(" ")).map(Long::parseLong)
                    .collect(Collectors.toList());
            assertThat(workers).as("%s", this).hasSize(2);
            assertThat(line("ACTIVE")).as("%s", this).isEqualTo("0");
            assertThat(stderr).as("%s", this).doesNotContain("Exception");

            List<Long> children = new ArrayList<>(workers);
            children.add(Long.parseLong(child.group(1)));
            for (long c : children) {
                assertThat(OsProcess.isRunning(c)).as("child %s still runs; %s", OsProcess.describe(c), this)
                        .isFalse();
            }
            // every child's command line names its channel in the state directory: none may be left, even unprinted
            String marker = stateDir.toString();
            List<String> leftovers = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                    .map(p -> p.pid() + ": " + p.info().commandLine().orElse("?"))
                    .collect(Collectors.toList());
            leftovers.forEach(l -> OsProcess.killQuietly(Long.parseLong(l.substring(0, l.indexOf(':')))));
            assertThat(leftovers).as("processes left behind; %s", this).isEmpty();
            // and every child was reaped: its record in the state directory is gone
            assertThat(records()).as("child records left in %s; %s", stateDir, this).isEmpty();
        }

        private String line(String tag) {
            List<String> found = stdout.stream().filter(l -> l.startsWith(tag + " "))
                    .map(l -> l.substring(tag.length() + 1)).collect(Collectors.toList());
            assertThat(found).as("one %s line; %s", tag, this).hasSize(1);
            return found.get(0);
        }

        private List<String> records() {
            return RecordedChildren.live(stateDir);
        }

        @Override
        public String toString() {
            return mode + " run (pid " + pid + ", exit code " + exitCode + ")\n  stdout: " + String.join("\n    ",
                    stdout) + "\n  stderr: " + stderr.strip().replace("\n", "\n    ");
        }
    }

    // ---------------------------------------------------------------- processes and files

    private static String mavenExecutable() {
        String program = File.separatorChar == '\\' ? "mvn.cmd" : "mvn";
        String home = System.getProperty("maven.home");
        if (home != null && !home.isBlank()) {
            Path mvn = Path.of(home.trim(), "bin", program);
            if (Files.isExecutable(mvn)) {
                return mvn.toString();
            }
        }
        return program; // from PATH
    }

    /** Waits for {@code process}; past the deadline kills it and its descendants and fails. */
    private static int waitFor(Process process, Duration timeout, List<String> command) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("still running after " + timeout + ", killed: " + String.join(" ", command));
        }
        return process.exitValue();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }
}
