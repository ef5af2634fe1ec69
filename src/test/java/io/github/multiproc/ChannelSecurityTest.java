package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The private channel as a user sees it: the secret is never on a command line; loopback TCP when asked. */
@Timeout(60)
final class ChannelSecurityTest {

    @Test
    void taskChild_secretNeverOnItsCommandLine() throws Exception {
        ChildProcess<List<String>> child = Fork.call(() -> ProcessHandle.current().info().arguments()
                .map(Arrays::asList).orElse(List.of()));
        List<String> args = child.result();
        assertThat(args).anyMatch(a -> a.startsWith("unix:") || a.startsWith("tcp:"));
        // the only secret-bearing argument is the key file's path, and the file is gone by now
        String keyFile = args.stream().filter(a -> a.endsWith(".key")).findFirst().orElseThrow();
        assertThat(Files.exists(Path.of(keyFile))).isFalse();
        assertThat(String.join(" ", args)).doesNotContainPattern("[0-9a-f]{64}");
    }

    @Test
    void tcpTransport_whenAsked_taskRunsOverLoopback() throws Exception {
        System.setProperty("multiproc.transport", "tcp");
        try {
            ChildProcess<List<String>> child = Fork.call(() -> ProcessHandle.current().info().arguments()
                    .map(Arrays::asList).orElse(List.of()));
            assertThat(child.result()).anyMatch(a -> a.startsWith("tcp:"));
            try (ProcessPool pool = ProcessPool.create(1)) {
                assertThat(pool.apply((Integer x) -> x * 2, 21)).isEqualTo(42);
            }
        } finally {
            System.clearProperty("multiproc.transport");
        }
    }
}
