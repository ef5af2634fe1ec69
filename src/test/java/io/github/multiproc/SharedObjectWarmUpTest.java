package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.internal.child.ChildMain;
import io.github.multiproc.internal.ipc.AccessWarmUp;
import io.github.multiproc.testing.LeftoverChildren;
import io.github.multiproc.testing.SystemProperties;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A child started for a task that carries shared-object handles is told so on its command line, and readies their
 * operations as its JVM starts (rather than when its task arrives, behind the start-up's compilations); a task
 * without handles starts as before.
 */
class SharedObjectWarmUpTest {
    @AfterAll
    static void drain() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    /** The flags of the child's command line (its last argument), and why its warm-up thread was started. */
    private static List<String> flagsAndWarmUp(SerializableCallable<Long> touch) throws Exception {
        // a JVM started for this task, not a standby started before
        return SystemProperties.with("multiproc.standby", "0", () -> Fork.call(() -> {
            touch.call();
            String[] args = ProcessHandle.current().info().arguments().orElseThrow();
            return List.of(args[args.length - 1], String.valueOf(AccessWarmUp.startedBecause()));
        }).result());
    }

    @Test
    void taskCarryingAHandle_startsAChildThatKnowsIt() throws Exception {
        try (SharedLongArray counter = SharedLongArray.create(1)) {
            List<String> seen = flagsAndWarmUp(() -> counter.getAndAdd(0, 1));
            assertThat(Arrays.asList(seen.get(0).split(","))).contains(ChildMain.SHARED_OBJECTS);
            assertThat(seen.get(1)).as("why the warm-up started in that child").isEqualTo(AccessWarmUp.AT_CHILD_START);
            assertThat(counter.get(0)).isEqualTo(1);
        }
    }

    @Test
    void taskWithoutHandles_startsAChildAsBefore() throws Exception {
        List<String> seen = flagsAndWarmUp(() -> 7L);
        assertThat(Arrays.asList(seen.get(0).split(","))).doesNotContain(ChildMain.SHARED_OBJECTS);
        assertThat(seen.get(1)).as("why the warm-up started in that child").isEqualTo("null");
    }
}
