package io.github.multiproc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Command children: exit codes, pipes, output lines (also large volumes), validation and start failures. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class CommandTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void exec_true_exitCodeZeroAndResultNull() throws Exception {
        ChildProcess<Void> child = Fork.exec("true");

        ExitStatus status = Await.exit(child);

        assertThat(status.code()).isZero();
        assertThat(status.success()).isTrue();
        assertThat(status.waitStatus()).isZero();
        assertThat(child.result()).isNull();
    }

    @Test
    void exec_false_exitCodeOneAndResultThrowsChildCrashed() throws Exception {
        ChildProcess<Void> child = Fork.exec("false");

        ExitStatus status = Await.exit(child);

        assertThat(status.code()).isEqualTo(1);
        assertThat(status.waitStatus()).isEqualTo(256);
        assertThatThrownBy(child::result)
                .isInstanceOfSatisfying(ChildCrashedException.class,
                        crashed -> assertThat(crashed.exitStatus()).isEqualTo(status))
                .hasMessageContaining("false")
                .hasMessageContaining(Long.toString(child.pid()));
    }

    @Test
    void exec_exitCode42_reportedAsIs() throws Exception {
        ChildProcess<Void> child = Fork.exec("sh", "-c", "exit 42");

        assertThat(Await.exit(child)).isEqualTo(ExitStatus.of(42));
    }

    @Test
    void stdout_pipe_readable() throws Exception {
        ChildProcess<Void> child = Fork.command("echo", "hello", "world").stdout(Redirect.PIPE).start();

        assertThat(readAll(child.stdout())).isEqualTo("hello world\n");
        assertThat(Await.exit(child).success()).isTrue();
    }

    @Test
    void stdin_pipe_reachesCat() throws Exception {
        ChildProcess<Void> child = Fork.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start();

        CompletableFuture<String> out = readAllAsync(child.stdout());
        try (OutputStream in = child.stdin()) {
            in.write("first\nsecond\n".getBytes(UTF_8));
        }

        assertThat(out.get(30, SECONDS)).isEqualTo("first\nsecond\n");
        assertThat(Await.exit(child).success()).isTrue();
    }

    @Test
    void directoryAndEnvironment_set_seenByCommand(@TempDir Path dir) throws Exception {
        ChildProcess<Void> child = Fork.command("sh", "-c", "echo \"$MULTIPROC_TEST_ENV\"; pwd -P")
                .environment("MULTIPROC_TEST_ENV", "from parent")
                .directory(dir)
                .stdout(Redirect.PIPE)
                .start();

        assertThat(readAll(child.stdout())).isEqualTo("from parent\n" + dir.toRealPath() + "\n");
    }

    @Test
    void onOutputLine_bothStreams_linesInOrderPerStream() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        ChildProcess<Void> child = Fork.command("sh", "-c",
                        "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done")
                .onOutputLine(lines::add)
                .start();

        assertThat(Await.exit(child).success()).isTrue();
        Await.until(Duration.ofSeconds(5), () -> "10 lines in " + lines, () -> lines.size() >= 10);

        assertThat(lines).hasSize(10);
        assertThat(lines).filteredOn(line -> line.startsWith("out"))
                .containsExactly("out1", "out2", "out3", "out4", "out5");
        assertThat(lines).filteredOn(line -> line.startsWith("err"))
                .containsExactly("err1", "err2", "err3", "err4", "err5");
    }

    /** What a user expects after join(): the sink has seen everything, as with zt-exec or Python's communicate(). */
    @Test
    void onOutputLine_joinReturned_allLinesAlreadyDelivered() throws Exception {
        AtomicLong count = new AtomicLong();
        ChildProcess<Void> child = Fork.command("sh", "-c", "seq 1 2000; seq 1 2000 >&2")
                .onOutputLine(line -> count.incrementAndGet())
                .start();

        Await.exit(child);

        assertThat(count.get()).isEqualTo(4000);
    }

    @Test
    void onOutputLine_fiftyMegabytes_drainedWithoutDeadlock() throws Exception {
        AtomicLong lineCount = new AtomicLong();
        AtomicLong charCount = new AtomicLong();
        ChildProcess<Void> child = Fork.command("sh", "-c",
                        "head -c 50000000 /dev/zero | tr '\\0' x | fold -w 100")
                .onOutputLine(line -> {
                    lineCount.incrementAndGet();
                    charCount.addAndGet(line.length());
                })
                .start();

        assertThat(Await.exit(child, Duration.ofSeconds(45)).success()).isTrue();
        Await.until(Duration.ofSeconds(10), () -> lineCount + " of 500000 lines", () -> lineCount.get() >= 500_000);

        assertThat(lineCount.get()).isEqualTo(500_000);
        assertThat(charCount.get()).isEqualTo(50_000_000);
    }

    @Test
    void stdoutAndStderrPipes_fiftyMegabytesWhileStderrBusy_bothReadFully() throws Exception {
        ChildProcess<Void> child = Fork.command("sh", "-c",
                        "(head -c 20000000 /dev/zero | tr '\\0' e | fold -w 99 >&2) & "
                                + "head -c 50000000 /dev/zero; wait")
                .stdout(Redirect.PIPE)
                .stderr(Redirect.PIPE)
                .start();

        CompletableFuture<Long> out = countAsync(child.stdout());
        CompletableFuture<Long> err = countAsync(child.stderr());

        assertThat(out.get(45, SECONDS)).isEqualTo(50_000_000L);
        // fold adds no newline after the last, partial line
        assertThat(err.get(45, SECONDS)).isEqualTo(20_000_000L + 20_000_000L / 99);
        assertThat(Await.exit(child).success()).isTrue();
    }

    @Test
    void command_empty_throwsIllegalArgument() {
        assertThatThrownBy(() -> Fork.exec()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fork.command()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fork.command(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void command_nullElement_throwsNullPointer() {
        assertThatThrownBy(() -> Fork.command("echo", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Fork.exec((String[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Fork.command((List<String>) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void start_missingProgram_throwsMultiprocNamingProgram() {
        assertThatThrownBy(() -> Fork.exec("multiproc-no-such-program"))
                .isInstanceOf(MultiprocException.class)
                .hasMessageContaining("multiproc-no-such-program")
                .hasCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> Fork.command("/nonexistent/dir/multiproc-no-such-program", "arg").start())
                .isInstanceOf(MultiprocException.class)
                .hasMessageContaining("multiproc-no-such-program");
    }

    @Test
    void name_default_isProgramFileName() throws Exception {
        ChildProcess<Void> plain = Fork.exec("true");
        ChildProcess<Void> withPath = Fork.command("/bin/echo", "x").stdout(Redirect.DISCARD).start();
        ChildProcess<Void> named = Fork.command("true").name("custom").start();

        assertThat(plain.name()).isEqualTo("true");
        assertThat(withPath.name()).isEqualTo("echo");
        assertThat(named.name()).isEqualTo("custom");
        Await.exit(plain);
        Await.exit(withPath);
        Await.exit(named);
    }

    @Test
    void start_onOutputLineWithStdoutPipe_throwsIllegalState() {
        List<ChildProcess<?>> activeBefore = Fork.activeChildren(); // earlier children may still be exiting

        assertThatThrownBy(() -> Fork.command("true").onOutputLine(line -> { }).stdout(Redirect.PIPE).start())
                .isInstanceOf(IllegalStateException.class);

        assertThat(Fork.activeChildren()).as("no child started").allMatch(activeBefore::contains);
    }

    @Test
    void stdout_notPiped_throwsIllegalState() throws Exception {
        ChildProcess<Void> child = Fork.exec("true");

        assertThatThrownBy(child::stdout).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(child::stderr).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(child::stdin).isInstanceOf(IllegalStateException.class);
        Await.exit(child);
    }

    private static String readAll(InputStream in) throws Exception {
        return readAllAsync(in).get(30, SECONDS);
    }

    private static CompletableFuture<String> readAllAsync(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, CommandTest::runOnOwnThread);
    }

    private static CompletableFuture<Long> countAsync(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    total += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return total;
        }, CommandTest::runOnOwnThread);
    }

    /** Blocking reads get their own daemon thread, so two of them never wait for a shared pool. */
    private static void runOnOwnThread(Runnable r) {
        Thread thread = new Thread(r, "command-test-reader");
        thread.setDaemon(true);
        thread.start();
    }
}
