package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** terminate() with short tasks in flight: every future settles, and nothing is logged as an error. */
@Timeout(value = 120, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PoolTerminateTest {

    /** Copies to both streams: this JVM's log output goes to System.err (slf4j-simple looks it up each time). */
    private static OutputStream tee(ByteArrayOutputStream copy, PrintStream out) {
        return new OutputStream() {
            @Override
            public synchronized void write(int x) {
                copy.write(x);
                out.write(x);
            }

            @Override
            public synchronized void write(byte[] bytes, int off, int len) {
                copy.write(bytes, off, len);
                out.write(bytes, off, len);
            }
        };
    }

    @Test
    void terminate_answersStillOnTheWire_noErrorLogged_everyFutureSettled() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(tee(log, original), true, StandardCharsets.UTF_8));
        try {
            for (int round = 0; round < 5; round++) {
                ProcessPool pool = ProcessPool.create(2);
                List<CompletableFuture<Integer>> futures = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    futures.add(pool.applyAsync((Integer x) -> x, i));
                }
                Await.until(Await.CHILD_DEADLINE, () -> "no task done yet", () -> futures.get(0).isDone());
                pool.terminate();
                assertThat(pool.join(Await.CHILD_DEADLINE)).isTrue();
                for (CompletableFuture<Integer> f : futures) {
                    assertThat(f).isDone();
                    if (f.isCompletedExceptionally()) {
                        assertThat(f).isCancelled();
                    }
                }
            }
        } finally {
            System.setErr(original);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("ERROR").doesNotContain("was expected");
    }

    @Test
    void terminate_cancelsWhatIsNotDone() throws Exception {
        ProcessPool pool = ProcessPool.create(1);
        CompletableFuture<Object> running = pool.applyAsync(() -> {
            Thread.sleep(60_000);
            return null;
        });
        pool.terminate();
        assertThat(pool.join(Await.CHILD_DEADLINE)).isTrue();
        assertThat(running).isCancelled();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(running::join))
                .isInstanceOf(CancellationException.class);
    }
}
