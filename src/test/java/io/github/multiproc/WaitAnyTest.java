package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fork.waitAny (os.wait) and Fork.activeChildren. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class WaitAnyTest {

    @BeforeEach
    void startWithoutChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void waitAny_noChildren_throwsIllegalStateAtOnce() {
        assertThatThrownBy(Fork::waitAny).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Fork.waitAny(Duration.ofSeconds(30))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void waitAny_threeChildren_eachReturnedOnce() throws Exception {
        List<Long> started = List.of(
                Fork.exec("true").pid(),
                Fork.exec("sh", "-c", "exit 3").pid(),
                Fork.call(() -> "task").pid());

        List<Long> returned = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ChildProcess<?> ended = waitAnyWithin30s();
            assertThat(ended.exitStatus()).as("exit status of %s", ended.name()).isPresent();
            assertThat(ended.isAlive()).isFalse();
            returned.add(ended.pid());
        }

        assertThat(returned).containsExactlyInAnyOrderElementsOf(started);
        assertThatThrownBy(Fork::waitAny).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void waitAny_oneChildJoined_returnsOnlyTheOther() throws Exception {
        ChildProcess<Void> joined = Fork.exec("true");
        ChildProcess<Void> other = Fork.exec("true");
        Await.exit(joined);

        assertThat(waitAnyWithin30s().pid()).isEqualTo(other.pid());
        assertThatThrownBy(Fork::waitAny).isInstanceOf(IllegalStateException.class);
    }

    /** Only join and waitAny collect a child: reading its result, its future or its exit does not. */
    @Test
    void waitAny_resultsReadFirst_returnsEachChildOnce() throws Exception {
        ChildProcess<String> task = Fork.call(() -> "value");
        ChildProcess<Void> failing = Fork.exec("sh", "-c", "exit 3");
        assertThat(task.result()).isEqualTo("value");
        assertThat(task.future().get()).isEqualTo("value");
        assertThatThrownBy(failing::result).isInstanceOf(ChildCrashedException.class);
        assertThat(failing.onExit().get().code()).isEqualTo(3);

        List<Long> returned = new ArrayList<>();
        returned.add(waitAnyWithin30s().pid());
        returned.add(waitAnyWithin30s().pid());

        assertThat(returned).containsExactlyInAnyOrder(task.pid(), failing.pid());
        assertThatThrownBy(Fork::waitAny).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void waitAny_childStillRunning_emptyAfterTimeout() throws Exception {
        ChildProcess<Void> sleeper = Fork.exec("sleep", "1000");

        long start = System.nanoTime();
        Optional<ChildProcess<?>> ended = Fork.waitAny(Duration.ofMillis(300));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(ended).isEmpty();
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);

        sleeper.kill();
        ChildProcess<?> killed = waitAnyWithin30s();
        assertThat(killed.pid()).isEqualTo(sleeper.pid());
        assertThat(killed.exitStatus()).hasValueSatisfying(status -> assertThat(status.signal()).hasValue(9));
    }

    @Test
    void activeChildren_mixOfLiveAndEnded_listsLiveOnly() throws Exception {
        ChildProcess<Void> live = Fork.exec("sleep", "1000");
        ChildProcess<Void> ended = Fork.exec("true");
        Await.exit(ended);

        assertThat(Fork.activeChildren()).extracting(ChildProcess::pid)
                .contains(live.pid())
                .doesNotContain(ended.pid());

        live.kill();
        Await.exit(live);
        assertThat(Fork.activeChildren()).extracting(ChildProcess::pid).doesNotContain(live.pid());
    }

    private static ChildProcess<?> waitAnyWithin30s() throws InterruptedException {
        return Fork.waitAny(Await.CHILD_DEADLINE)
                .orElseThrow(() -> new AssertionError("no child ended within " + Await.CHILD_DEADLINE));
    }
}
