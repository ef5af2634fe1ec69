package io.github.multiproc;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.testing.Await;
import io.github.multiproc.testing.LeftoverChildren;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pipe and Connection between real processes, and what an end sees when the other is closed or dies. */
@Timeout(value = 60, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class PipeTest {

    @AfterEach
    void endChildren() throws InterruptedException {
        LeftoverChildren.endAndDrain();
    }

    @Test
    void roundTrips_withTaskChild_answersInOrder() throws Exception {
        Pipe<Integer> pipe = Pipe.create();
        Connection<Integer> childEnd = pipe.second();
        ChildProcess<Void> echo = Fork.run(() -> {
            for (int x = childEnd.receive(); x >= 0; x = childEnd.receive()) {
                childEnd.send(x + 1);
            }
        });
        Connection<Integer> parentEnd = pipe.first();
        List<Integer> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            parentEnd.send(i);
            answers.add(parentEnd.receive());
        }
        parentEnd.send(-1);

        Await.result(echo);
        assertThat(answers).first().isEqualTo(1);
        assertThat(answers).last().isEqualTo(100);
        parentEnd.close();
    }

    @Test
    void twoChildren_eachWithOneEnd_talk() throws Exception {
        Pipe<String> pipe = Pipe.create();
        Connection<String> a = pipe.first();
        Connection<String> b = pipe.second();
        ChildProcess<String> asker = Fork.call(() -> {
            a.send("ping");
            return a.receive();
        });
        ChildProcess<Void> answerer = Fork.run(() -> b.send(b.receive() + "-pong"));

        assertThat(Await.result(asker)).isEqualTo("ping-pong");
        Await.result(answerer);
    }

    @Test
    void otherEndClosed_receiveDrainsThenThrows_sendThrows() throws Exception {
        Pipe<String> pipe = Pipe.create();
        Connection<String> childEnd = pipe.second();
        Await.result(Fork.run(() -> {
            childEnd.send("one");
            childEnd.send("two");
            childEnd.close();
        }));
        Connection<String> parentEnd = pipe.first();

        assertThat(parentEnd.receive()).isEqualTo("one");
        assertThat(parentEnd.receive(Duration.ofSeconds(5))).contains("two");
        assertThatThrownBy(parentEnd::receive).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the other end is closed");
        assertThatThrownBy(() -> parentEnd.send("three")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the other end is closed");
    }

    @Test
    void otherEndsProcessDies_waitingReceiveThrows() throws Exception {
        Pipe<String> pipe = Pipe.create();
        Connection<String> childEnd = pipe.second();
        ChildProcess<Void> child = Fork.run(() -> {
            childEnd.send("last words");
            Runtime.getRuntime().halt(9);
        });
        Connection<String> parentEnd = pipe.first();

        assertThat(parentEnd.receive()).isEqualTo("last words");
        Await.exit(child);
        long start = System.nanoTime();
        assertThatThrownBy(parentEnd::receive).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pid " + child.pid()).hasMessageContaining("ended");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void unusedCopyOfAnEnd_doesNotKeepPipeOpen() throws Exception {
        Pipe<String> pipe = Pipe.create();
        Connection<String> childEnd = pipe.second();
        childEnd.close(); // the creator's copy, never used here: the child's use counts
        ChildProcess<Void> child = Fork.run(() -> childEnd.send("from child"));

        assertThat(pipe.first().receive()).isEqualTo("from child");
        Await.result(child);
        assertThatThrownBy(() -> pipe.first().receive()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void send_nonSerializableMessage_throwsNamingItsClass_nothingSent() throws Exception {
        Pipe<Object> pipe = Pipe.create();

        assertThatThrownBy(() -> pipe.first().send(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
        assertThat(pipe.second().receive(Duration.ofMillis(20))).isEmpty();
    }

    @Test
    void closedEnd_refusesLaterCalls() throws Exception {
        Pipe<Integer> pipe = Pipe.create();
        pipe.first().send(1);
        pipe.first().close();
        pipe.first().close();

        assertThatThrownBy(() -> pipe.first().send(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed in this JVM");
        assertThat(pipe.second().receive()).isEqualTo(1);
    }
}
