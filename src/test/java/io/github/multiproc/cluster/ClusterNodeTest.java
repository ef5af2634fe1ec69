package io.github.multiproc.cluster;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.fixtures.ForgetfulDriver;
import io.github.multiproc.fixtures.NoHazelcast;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node in this JVM (port 0), and the library without Hazelcast on the class path. */
@Timeout(value = 120, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterNodeTest {

    @TempDir
    Path stateDir;

    @Test
    void aNodeOnAnyFreePort_servesAPool_andItsWorkersEndWhenItCloses() throws Exception {
        String name = "in-process-" + ProcessHandle.current().pid();
        Set<Long> workers;
        try (ClusterNode node = ClusterNode.builder().clusterName(name).host("127.0.0.1").port(0).workers(1)
                .start()) {
            assertThat(node.address()).matches("127\\.0\\.0\\.1:\\d+").doesNotEndWith(":0");
            assertThat(node.workers()).isEqualTo(1);
            // a driver that forgets close(): its JVM exits all the same (a Hazelcast client's threads are no daemons)
            try (FixtureJvm driver = FixtureJvm.start(stateDir, ForgetfulDriver.class, name, node.address())) {
                assertThat(driver.awaitExit(Duration.ofSeconds(60))).as(driver.toString()).isZero();
                assertThat(driver.numbers("RESULT")).containsExactly(42L);
            }
            try (ClusterPool pool = ClusterPool.builder().clusterName(name).members(node.address())
                    .connectTimeout(Duration.ofSeconds(30)).build()) {
                assertThat(pool.nodes()).containsExactly(node.address());
                long parent = pool.apply(() -> ProcessHandle.current().parent().map(ProcessHandle::pid)
                        .orElse(-1L));
                assertThat(parent).as("the worker is a child of the node's JVM, this one").isEqualTo(
                        ProcessHandle.current().pid());
                workers = Set.of(pool.apply(() -> ProcessHandle.current().pid()));
            }
        }
        Await.until(Duration.ofSeconds(10), () -> "node workers alive after close: " + workers,
                () -> workers.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive)
                        .orElse(false)));
    }

    @Test
    void withoutHazelcast_localPoolsWork_andClusterTypesFailAtOnce_namingTheDependency() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("hazelcast")).collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classPath, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", NoHazelcast.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = out.lines().collect(Collectors.toList());
        assertThat(lines).as(out).contains("LOCAL 42");
        assertThat(lines).as(out).anyMatch(l -> l.startsWith("POOL MultiprocException: ClusterPool needs Hazelcast")
                && l.contains("com.hazelcast:hazelcast"));
        assertThat(lines).as(out).anyMatch(l -> l.startsWith("NODE MultiprocException: ClusterNode needs Hazelcast")
                && l.contains("com.hazelcast:hazelcast"));
        assertThat(p.exitValue()).as(out).isZero();
    }
}
