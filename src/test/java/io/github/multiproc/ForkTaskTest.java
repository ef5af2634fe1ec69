package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Task children: values, exceptions, crashes, serialization failures and the settings that reach the child JVM. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class ForkTaskTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void call_taskReturnsValue_resultIsValue() throws Exception {
        ChildProcess<Integer> child = Fork.call(() -> 6 * 7);

        assertThat(Await.result(child)).isEqualTo(42);
        assertThat(child.exitStatus()).hasValueSatisfying(status -> assertThat(status.success()).isTrue());
    }

    @Test
    void result_calledWhileRunning_waitsForValue() throws Exception {
        ChildProcess<String> child = Fork.call(() -> {
            Thread.sleep(200); // keeps the child running while the parent calls result()
            return "late";
        });

        assertThat(child.result()).isEqualTo("late");
        assertThat(child.join()).isEqualTo(ExitStatus.of(0));
        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void run_taskReturns_resultIsNullAndExitCodeZero() throws Exception {
        ChildProcess<Void> child = Fork.run(() -> Thread.sleep(1));

        assertThat(Await.result(child)).isNull();
        assertThat(child.exitStatus()).hasValue(ExitStatus.of(0));
    }

    @Test
    void pid_inChild_differsFromParentAndMatchesHandle() throws Exception {
        ChildProcess<Long> child = Fork.call(Fork::pid);

        long childPid = Await.result(child);
        assertThat(childPid).isNotEqualTo(Fork.pid()).isEqualTo(child.pid());
    }

    @Test
    void ppid_inChild_isParentPid() throws Exception {
        ChildProcess<Long> child = Fork.call(() -> Fork.ppid().orElse(-1L));

        assertThat(Await.result(child)).isEqualTo(Fork.pid());
    }

    @Test
    void isChild_inChildAndInParent_trueOnlyInChild() throws Exception {
        ChildProcess<Boolean> child = Fork.call(Fork::isChild);

        assertThat(Await.result(child)).isTrue();
        assertThat(Fork.isChild()).isFalse();
    }

    @Test
    void result_taskThrows_causeIsOriginalExceptionWithChildStackTrace() throws Exception {
        ChildProcess<Object> child = Fork.call(() -> {
            throw new IllegalStateException("boom in child");
        });

        ChildFailedException failed = catchThrowableOfType(ChildFailedException.class, () -> Await.result(child));

        assertThat(failed).as("result() of a task that threw").isNotNull();
        assertThat(failed).hasMessageContaining(child.name()).hasMessageContaining(Long.toString(child.pid()));
        assertThat(failed.getCause()).isExactlyInstanceOf(IllegalStateException.class).hasMessage("boom in child");
        assertThat(failed.getCause().getStackTrace())
                .as("child stack trace: %s", Arrays.toString(failed.getCause().getStackTrace()))
                .anySatisfy(frame -> {
                    assertThat(frame.getClassName()).isEqualTo(ForkTaskTest.class.getName());
                    assertThat(frame.getMethodName()).startsWith("lambda$");
                });
        assertThat(child.exitStatus()).hasValueSatisfying(status -> {
            assertThat(status.code()).isEqualTo(1);
            assertThat(status.waitStatus()).isEqualTo(256);
        });
    }

    @Test
    void result_taskThrowsCheckedException_causeIsThatException() throws Exception {
        ChildProcess<Void> child = Fork.run(() -> {
            throw new IOException("disk full");
        });

        assertThatThrownBy(() -> Await.result(child))
                .isInstanceOf(ChildFailedException.class)
                .cause().isExactlyInstanceOf(IOException.class).hasMessage("disk full");
    }

    @Test
    void future_taskThrows_completesExceptionallyWithChildFailed() throws Exception {
        ChildProcess<Object> child = Fork.call(() -> {
            throw new UnsupportedOperationException("nope");
        });

        assertThatThrownBy(() -> child.future().get(30, SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ChildFailedException.class)
                .cause().isExactlyInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void future_taskReturns_completesWithValue() throws Exception {
        ChildProcess<String> child = Fork.call(() -> "x" + 1);

        assertThat(child.future().get(30, SECONDS)).isEqualTo("x1");
        assertThat(child.future()).isSameAs(child.future());
        assertThat(child.onExit().get(10, SECONDS)).isEqualTo(ExitStatus.of(0));
    }

    @Test
    void result_taskCallsSystemExit_childCrashedWithThatCode() throws Exception {
        ChildProcess<Void> child = Fork.run(() -> System.exit(7));

        ChildCrashedException crashed = catchThrowableOfType(ChildCrashedException.class, () -> Await.result(child));

        assertThat(crashed).as("result() after System.exit(7)").isNotNull();
        assertThat(crashed.exitStatus().code()).isEqualTo(7);
        assertThat(crashed.exitStatus().signal()).isEmpty();
        assertThat(crashed.pid()).isEqualTo(child.pid());
    }

    @Test
    void result_taskHaltsRuntime_childCrashedWithThatCode() throws Exception {
        ChildProcess<Void> child = Fork.run(() -> Runtime.getRuntime().halt(3));

        assertThatThrownBy(() -> Await.result(child))
                .isInstanceOfSatisfying(ChildCrashedException.class,
                        crashed -> assertThat(crashed.exitStatus().code()).isEqualTo(3));
    }

    @Test
    void result_valueNotSerializable_childFailedNamingTheClass() throws Exception {
        ChildProcess<Optional<Integer>> child = Fork.call(() -> Optional.of(1));

        assertThatThrownBy(() -> Await.result(child))
                .isInstanceOf(ChildFailedException.class)
                .hasMessageContaining("java.util.Optional");
    }

    @Test
    void call_capturesNonSerializableObject_throwsBeforeStartingChild() {
        Object monitor = new Object();
        List<ChildProcess<?>> activeBefore = Fork.activeChildren(); // earlier children may still be exiting
        Set<Long> osChildrenBefore = osChildren();

        assertThatThrownBy(() -> Fork.call(() -> monitor.hashCode()))
                .isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("java.lang.Object");

        assertThat(Fork.activeChildren()).as("no child started").allMatch(activeBefore::contains);
        assertThat(osChildren()).isSubsetOf(osChildrenBefore);
    }

    @Test
    void start_capturesThread_throwsNamingThread() {
        Thread thread = new Thread(() -> { });
        List<ChildProcess<?>> activeBefore = Fork.activeChildren(); // earlier children may still be exiting

        assertThatThrownBy(() -> Fork.task(() -> thread.getName()).start())
                .isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("java.lang.Thread");

        assertThat(Fork.activeChildren()).as("no child started").allMatch(activeBefore::contains);
    }

    @Test
    void start_namedTaskWithNonSerializableField_messageNamesField() {
        Set<Long> osChildrenBefore = osChildren();

        assertThatThrownBy(() -> Fork.task(new HoldsMonitor()).start())
                .isInstanceOf(NotSerializableTaskException.class)
                .hasMessageContaining("monitor")
                .hasMessageContaining("java.lang.Object");

        assertThat(osChildren()).isSubsetOf(osChildrenBefore);
    }

    @Test
    void systemProperty_set_visibleInChild() throws Exception {
        ChildProcess<String> child = Fork.task(() -> System.getProperty("multiproc.test.prop"))
                .systemProperty("multiproc.test.prop", "a value with spaces")
                .start();

        assertThat(Await.result(child)).isEqualTo("a value with spaces");
    }

    @Test
    void environment_set_visibleInChild() throws Exception {
        ChildProcess<String> child = Fork.task(() -> System.getenv("MULTIPROC_TEST_ENV"))
                .environment("MULTIPROC_TEST_ENV", "from parent")
                .start();

        assertThat(Await.result(child)).isEqualTo("from parent");
    }

    @Test
    void directory_set_isChildWorkingDirectory(@TempDir Path dir) throws Exception {
        ChildProcess<String> child = Fork.task(() -> Path.of("").toAbsolutePath().toString())
                .directory(dir)
                .start();

        assertThat(Path.of(Await.result(child)).toRealPath()).isEqualTo(dir.toRealPath());
    }

    @Test
    void jvmOptions_set_reachChildJvm() throws Exception {
        ChildProcess<List<String>> child = Fork.task(() -> List.of(
                        System.getProperty("multiproc.test.opt", "missing"),
                        Long.toString(Runtime.getRuntime().maxMemory())))
                .jvmOptions("-Dmultiproc.test.opt=yes", "-Xmx48m")
                .start();

        List<String> seen = Await.result(child);
        assertThat(seen.get(0)).isEqualTo("yes");
        assertThat(Long.parseLong(seen.get(1))).isLessThanOrEqualTo(48L * 1024 * 1024);
    }

    @Test
    void jvmOptions_unknownOption_childCrashedWithStderrTail() {
        assertThatThrownBy(() -> Await.result(Fork.task(() -> 1).jvmOptions("-XX:MultiprocNoSuchOption").start()))
                .isInstanceOfSatisfying(ChildCrashedException.class, crashed -> {
                    assertThat(crashed.exitStatus().success()).isFalse();
                    assertThat(crashed.stderrTail()).isNotEmpty()
                            .anySatisfy(line -> assertThat(line).contains("MultiprocNoSuchOption"));
                });
    }

    @Test
    void call_nullTask_throwsNullPointer() {
        assertThatThrownBy(() -> Fork.call(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("task");
        assertThatThrownBy(() -> Fork.run(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Fork.task((SerializableRunnable) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Fork.task((SerializableCallable<?>) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void name_blank_throwsIllegalArgument() {
        TaskBuilder<Integer> builder = Fork.task(() -> 1);

        assertThatThrownBy(() -> builder.name("  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.name("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.name(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void name_default_isChildDashNumber() throws Exception {
        ChildProcess<Integer> first = Fork.call(() -> 1);
        ChildProcess<Integer> second = Fork.task(() -> 2).name("second").start();

        assertThat(first.name()).matches("child-\\d+");
        assertThat(second.name()).isEqualTo("second");
        Await.result(first);
        Await.result(second);
    }

    @Test
    void exitStatus_whileRunningThenAfterKill_emptyThenPresent() throws Exception {
        ChildProcess<Void> child = Fork.run(() -> Thread.sleep(60_000));

        assertThat(child.exitStatus()).isEmpty();
        assertThat(child.isAlive()).isTrue();

        child.kill();
        ExitStatus status = Await.exit(child, Duration.ofSeconds(10));

        assertThat(child.exitStatus()).hasValue(status);
        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void join_timeoutWhileRunning_emptyAfterAtLeastTimeout() throws Exception {
        ChildProcess<Void> child = Fork.run(() -> Thread.sleep(60_000));

        long start = System.nanoTime();
        Optional<ExitStatus> joined = child.join(Duration.ofMillis(300));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(joined).isEmpty();
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);
        assertThat(child.isAlive()).isTrue();
    }

    @Test
    void result_childKilled_childCrashedWithSignal9() throws Exception {
        ChildProcess<String> child = Fork.call(() -> {
            Thread.sleep(60_000);
            return "never";
        });

        child.kill();

        assertThatThrownBy(() -> Await.result(child))
                .isInstanceOfSatisfying(ChildCrashedException.class, crashed -> {
                    assertThat(crashed.exitStatus().signal()).hasValue(9);
                    assertThat(crashed.exitStatus().waitStatus()).isEqualTo(9);
                    assertThat(crashed.exitStatus().code()).isEqualTo(137);
                });
        assertThatThrownBy(() -> child.future().get(1, SECONDS))
                .cause().isInstanceOf(ChildCrashedException.class);
    }

    private static Set<Long> osChildren() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** A named task whose field cannot be serialized. */
    static final class HoldsMonitor implements SerializableCallable<String> {
        private final Object monitor = new Object();

        @Override
        public String call() {
            return String.valueOf(monitor);
        }
    }
}
