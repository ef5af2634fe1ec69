package io.github.multiproc.internal.spawn;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiproc.Fork;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.ProcessPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child JVM whose command line cannot be built (here: a bad {@code multiproc.cds}, read when the line is built)
 * fails with the documented {@link MultiprocException} and leaves neither its socket nor its key file behind.
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class LaunchFailureTest {
    private String standby;

    @BeforeEach
    void noStandbys() {
        standby = System.getProperty("multiproc.standby");
        System.setProperty("multiproc.standby", "0"); // no standby's files come and go while this test counts them
    }

    @AfterEach
    void restore() {
        System.clearProperty("multiproc.cds");
        if (standby == null) {
            System.clearProperty("multiproc.standby");
        } else {
            System.setProperty("multiproc.standby", standby);
        }
    }

    private static List<String> channelFiles() throws IOException {
        try (Stream<Path> files = Files.list(Children.get().runDirectory())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".key") || n.endsWith(".sock"))
                    .sorted().collect(Collectors.toList());
        }
    }

    @Test
    void taskChild_commandLineCannotBeBuilt_multiprocExceptionAndNoChannelFilesLeft() throws Exception {
        assertThat(Fork.call(() -> 1).result()).isEqualTo(1); // the library is up, its run directory made
        List<String> before = channelFiles();
        System.setProperty("multiproc.cds", "bogus");
        for (int i = 0; i < 3; i++) {
            Throwable failure = catchThrowable(() -> Fork.call(() -> 2));
            assertThat(failure).isInstanceOf(MultiprocException.class).hasMessageContaining("multiproc.cds")
                    .hasMessageContaining("cannot start task child");
        }
        assertThat(channelFiles()).isEqualTo(before);
    }

    @Test
    void poolWorker_commandLineCannotBeBuilt_multiprocExceptionAndNoChannelFilesLeft() throws Exception {
        assertThat(Fork.call(() -> 1).result()).isEqualTo(1);
        List<String> before = channelFiles();
        System.setProperty("multiproc.cds", "bogus");
        Throwable failure = catchThrowable(() -> ProcessPool.create(2));
        assertThat(failure).isInstanceOf(MultiprocException.class).hasMessageContaining("multiproc.cds");
        assertThat(channelFiles()).isEqualTo(before);
    }
}
