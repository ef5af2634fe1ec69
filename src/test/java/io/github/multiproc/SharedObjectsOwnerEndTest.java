package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.fixtures.SharedObjectsOwner;
import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.FixtureJvm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the end of the JVM that made shared objects does to them: its normal exit frees them; after a SIGKILL,
 * every call of another process that uses them fails within about a second, and {@link Fork#reapOrphans()} frees
 * what it left in {@code /dev/shm} and the state directory.
 */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class SharedObjectsOwnerEndTest {
    @TempDir
    Path stateDir;

    private static List<?> handles(FixtureJvm owner) throws Exception {
        String line = owner.awaitLine(l -> l.startsWith("HANDLES "), Await.CHILD_DEADLINE);
        owner.awaitReady(Await.CHILD_DEADLINE);
        byte[] bytes = Base64.getDecoder().decode(line.substring("HANDLES ".length()));
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (List<?>) in.readObject();
        }
    }

    /** The segment files of the JVM {@code pid}, in /dev/shm and anywhere in the state directory. */
    private List<Path> filesOf(long pid) throws IOException {
        String prefix = "multiproc-ipc-" + pid + "-";
        List<Path> roots = Files.isDirectory(Path.of("/dev/shm")) ? List.of(Path.of("/dev/shm"), stateDir)
                : List.of(stateDir);
        List<Path> found = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                found.addAll(files.filter(f -> f.getFileName().toString().startsWith(prefix))
                        .collect(Collectors.toList()));
            }
        }
        return found;
    }

    /**
     * The six objects' files, and the FIFOs of the pipe's two doorbells, which its creator has {@code mkfifo} make in
     * the background.
     */
    private void assertAllFilesThere(long pid) throws Exception {
        Await.until(Await.CHILD_DEADLINE, () -> "the pipe's doorbells made", () -> {
            try {
                return filesOf(pid).stream().filter(f -> f.getFileName().toString().contains(".bell")).count() == 2;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(filesOf(pid)).hasSize(8);
    }

    @Test
    void ownerExitsNormally_itsObjectsAreFreed() throws Exception {
        try (FixtureJvm owner = FixtureJvm.start(stateDir, SharedObjectsOwner.class)) {
            handles(owner);
            assertAllFilesThere(owner.pid());


            owner.endInput();

            assertThat(owner.awaitExit(Await.CHILD_DEADLINE)).isZero();
            assertThat(filesOf(owner.pid())).isEmpty();
        }
    }

    /** Pipes whose doorbells' FIFOs are still being made (by {@code mkfifo}) as their creator exits leave nothing. */
    @Test
    void ownerExitsWhileItsPipesFifosAreMade_nothingIsLeft() throws Exception {
        try (FixtureJvm owner = FixtureJvm.start(stateDir, SharedObjectsOwner.class, "pipes-then-exit")) {
            assertThat(owner.awaitExit(Await.CHILD_DEADLINE)).as(owner.toString()).isZero();
            assertThat(owner.stdoutLines()).contains("MADE");
            assertThat(filesOf(owner.pid())).isEmpty();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void ownerKilled_callsElsewhereFail_andReapOrphansFreesWhatItLeft() throws Exception {
        try (FixtureJvm owner = FixtureJvm.start(stateDir, SharedObjectsOwner.class)) {
            List<?> handles = handles(owner);
            ProcessQueue<String> queue = (ProcessQueue<String>) handles.get(0);
            Connection<String> end = (Connection<String>) handles.get(1);
            ProcessEvent event = (ProcessEvent) handles.get(2);
            ProcessLock lock = (ProcessLock) handles.get(3);
            SharedLongArray longs = (SharedLongArray) handles.get(4);
            SharedMemory memory = (SharedMemory) handles.get(5);
            queue.put("works");
            assertThat(queue.take()).isEqualTo("works");
            assertThat(longs.getAndAdd(0, 1)).isZero();
            memory.buffer().putInt(0, 1);
            lock.lock();
            CompletableFuture<String> take = CompletableFuture.supplyAsync(() -> call(queue::take));
            CompletableFuture<String> receive = CompletableFuture.supplyAsync(() -> call(() -> {
                end.send("answer me"); // an end that sent waits for an answer, asleep on its doorbell's FIFO
                return end.receive();
            }));
            CompletableFuture<String> await = CompletableFuture.supplyAsync(() -> call(() -> {
                event.await();
                return "set";
            }));
            assertAllFilesThere(owner.pid());

            owner.killForcibly();

            for (CompletableFuture<String> waiting : List.of(take, receive, await)) {
                assertThat(waiting.get(5, TimeUnit.SECONDS)).startsWith("IllegalStateException").contains("ended");
            }
            assertThatThrownBy(() -> longs.get(0)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(memory::buffer).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class);
            assertThat(filesOf(owner.pid())).as("what the killed owner left, FIFOs included").hasSize(8);

            Fork.reapOrphans();

            assertThat(filesOf(owner.pid())).isEmpty();
        }
    }

    /** A blocking call's result, or the simple name and message of what it threw. */
    private static String call(Callable<?> call) {
        try {
            return String.valueOf(call.call());
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
