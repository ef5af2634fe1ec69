package io.github.multiproc.internal.spawn;

import io.github.multiproc.ChildCrashedException;
import io.github.multiproc.ChildFailedException;
import io.github.multiproc.ExitStatus;
import java.util.List;

/**
 * The exceptions a child's {@code result()} throws, with what the user needs to act: which child, its pid and what
 * it ran, its exit status, the signal this library sent, and the last lines of its stderr.
 *
 * <p>Thread safety: stateless.
 */
public final class ChildFailures {
    private ChildFailures() {
    }

    /** A task child's answer that is not a value: the task threw, or its task or result could not travel. */
    static ChildFailedException answer(String label, TaskChannel.Outcome o) {
        switch (o.kind()) {
            case TaskChannel.Outcome.FAILED:
                return new ChildFailedException(label + " failed: " + o.error(), o.error());
            case TaskChannel.Outcome.UNREADABLE:
                return new ChildFailedException(label + " could not read its task: " + o.error()
                        + " (the child runs on this JVM's class path; is the task's class on it?)", o.error());
            case TaskChannel.Outcome.UNSENDABLE:
                return new ChildFailedException(label + ": " + o.error().getMessage(), o.error());
            default:
                return new ChildFailedException(label + ": unreadable answer from the child: " + o.error(),
                        o.error());
        }
    }

    /**
     * A task child that ended without a result, or a command that failed.
     *
     * @param sentSignal the signal this library sent it (9 or 15), or 0
     */
    static ChildCrashedException ended(String label, boolean task, ExitStatus s, int sentSignal, List<String> tail,
            long pid) {
        StringBuilder message = new StringBuilder(label);
        message.append(task ? " ended without a result: " : " failed: ").append(s);
        if (sentSignal != 0) {
            message.append(sentSignal == 9 ? " after kill()" : " after terminate()");
        }
        appendStderrTail(message, "; last lines of stderr:", tail);
        return new ChildCrashedException(message.toString(), pid, s, tail);
    }

    /**
     * Appends {@code heading} and the last ten lines of {@code tail}, one per indented line; nothing if it is empty.
     *
     * @param message the message being built
     * @param heading what introduces the lines
     * @param tail the last lines a child wrote to its stderr
     */
    public static void appendStderrTail(StringBuilder message, String heading, List<String> tail) {
        if (!tail.isEmpty()) {
            message.append(heading);
            for (String line : tail.subList(Math.max(0, tail.size() - 10), tail.size())) {
                message.append("\n    ").append(line);
            }
        }
    }
}
