package io.github.multiproc.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The options that start a child from the class-data archive or AOT cache. */
@Timeout(60)
final class ArchiveUseTest {

    @Test
    void jvmOptions_notMadeYet_none() {
        assertThat(new ArchiveUse("/a.jar", null, ArchiveFormat.AOT_CACHE).jvmOptions()).isEmpty();
        assertThat(new ArchiveUse("/a.jar", null, ArchiveFormat.DYNAMIC_ARCHIVE).jvmOptions()).isEmpty();
    }

    @Test
    void jvmOptions_dynamicArchive_onlyTheFile() {
        assertThat(new ArchiveUse("/a.jar", Path.of("/x.jsa"), ArchiveFormat.DYNAMIC_ARCHIVE).jvmOptions())
                .containsExactly("-XX:SharedArchiveFile=/x.jsa");
    }

    @Test
    void jvmOptions_aotCache_onJdk25AlsoNoTrainingReplay() {
        List<String> options = new ArchiveUse("/a.jar", Path.of("/x.aot"), ArchiveFormat.AOT_CACHE).jvmOptions();
        if (Runtime.version().feature() == 25) {
            assertThat(options).containsExactly("-XX:AOTCache=/x.aot", "-XX:+UnlockDiagnosticVMOptions",
                    ArchiveUse.NO_TRAINING_REPLAY);
        } else {
            assertThat(options).containsExactly("-XX:AOTCache=/x.aot");
        }
    }

    @Test
    void jvmOptions_aotCache_thisJdkStartsWithThem() throws Exception {
        // every option but the cache's file: a JVM refuses an option it does not know
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String option : new ArchiveUse("/a.jar", Path.of("/x.aot"), ArchiveFormat.AOT_CACHE).jvmOptions()) {
            if (!option.startsWith("-XX:AOTCache=")) {
                cmd.add(option);
            }
        }
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
