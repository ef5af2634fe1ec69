package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Errors where the library serializes: an {@link Error} while a pool's dispatcher writes a task fails that task and
 * the dispatcher goes on; a result that does not fit in the child's heap is reported as such, not as a crash.
 */
@Timeout(value = 120, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class HeapFaultTest {

    /** A task that serializes once (the submit-time check) and throws {@code error} the second time. */
    static final class FailsOnSecondWrite implements SerializableCallable<String> {
        private static final long serialVersionUID = 1L;
        private final transient AtomicInteger writes = new AtomicInteger();
        private final transient Error error;

        FailsOnSecondWrite(Error error) {
            this.error = error;
        }

        @Override
        public String call() {
            return "ran";
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            if (writes.incrementAndGet() == 2) {
                throw error;
            }
            out.defaultWriteObject();
        }
    }

    @Test
    void applyAsync_errorWhileTheDispatcherWritesTheTask_failsThatTaskAndThePoolGoesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            for (Error error : new Error[] {new OutOfMemoryError("test: no room for this task's bytes"),
                new StackOverflowError("test: writeObject recursed too deep")}) {
                CompletableFuture<String> doomed = pool.applyAsync(new FailsOnSecondWrite(error));
                Throwable failure = catchThrowable(() -> doomed.get(30, SECONDS));
                assertThat(failure).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(NotSerializableTaskException.class)
                        .hasMessageContaining(FailsOnSecondWrite.class.getName()).cause().isSameAs(error);
                // the dispatcher is alive: later tasks are sent and run, on the same worker
                assertThat(pool.apply(() -> 6 * 7)).isEqualTo(42);
            }
            assertThat(pool.stats().workerRestarts()).isZero();
        }
    }

    @Test
    void result_largerThanTheChildsHeap_failsSayingSo_notAsACrash() throws Exception {
        ChildProcess<byte[]> child = Fork.task(() -> new byte[40 << 20]).jvmOptions("-Xmx64m").start();
        Throwable failure = catchThrowable(child::result);
        assertThat(failure).isInstanceOf(ChildFailedException.class).isNotInstanceOf(ChildCrashedException.class)
                .hasMessageContaining("does not fit in this child's heap")
                .cause().isInstanceOf(NotSerializableException.class).hasMessageContaining("[B");
        assertThat(child.join().code()).isEqualTo(1);
    }

    @Test
    void poolResult_largerThanTheWorkersHeap_failsThatTaskSayingSo_andTheWorkerStays() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).jvmOptions("-Xmx64m").build()) {
            long pid = pool.workerPids().get(0);
            Throwable failure = catchThrowable(() -> pool.apply(() -> new byte[40 << 20]));
            assertThat(failure).isInstanceOf(ChildFailedException.class)
                    .hasMessageContaining("does not fit in this child's heap");
            assertThat(pool.apply(() -> Fork.pid())).isEqualTo(pid);
            assertThat(pool.stats().workerRestarts()).isZero();
        }
    }
}
