package io.github.multiproc.internal.pool;

import io.github.multiproc.ChildCrashedException;
import io.github.multiproc.ChildFailedException;
import io.github.multiproc.ExitStatus;
import io.github.multiproc.MultiprocException;
import io.github.multiproc.TaskTimeoutException;
import io.github.multiproc.internal.spawn.ChildFailures;
import io.github.multiproc.internal.spawn.TaskChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The exceptions a pool's callers see, with what they need to act: the pool's name, the task, the worker's pid, its
 * exit status and stderr tail, and the pool's state.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class PoolFailures {
    private final PoolEngine engine;

    PoolFailures(PoolEngine engine) {
        this.engine = engine;
    }

    /** A task that did not succeed, from the worker's answer (not a value, not a skip). */
    ChildFailedException answer(Worker w, PoolTask task, TaskChannel.Outcome outcome) {
        switch (outcome.kind()) {
            case TaskChannel.Outcome.FAILED:
                return new ChildFailedException(engine.name + ": task " + task.description()
                        + " failed on worker pid " + w.pid() + ": " + outcome.error(), outcome.error());
            case TaskChannel.Outcome.UNREADABLE:
                return new ChildFailedException(engine.name + ": worker pid " + w.pid() + " could not read task "
                        + task.description() + ": " + outcome.error()
                        + " (workers run on this JVM's class path; is the task's class on it?)", outcome.error());
            case TaskChannel.Outcome.UNSENDABLE:
                return new ChildFailedException(engine.name + ": task " + task.description() + ": "
                        + outcome.error().getMessage(), outcome.error());
            default:
                return new ChildFailedException(engine.name + ": cannot read the answer to task "
                        + task.description() + " from worker pid " + w.pid() + ": " + outcome.error(),
                        outcome.error());
        }
    }

    /** Why the pool gave up: no worker can be started, because of {@code reason} (with its {@code cause}). */
    MultiprocException noWorker(String reason, Throwable cause) {
        return new MultiprocException(engine.name + ": no worker can be started (" + reason + ")", cause);
    }

    /** A task refused or dropped because the pool gave up ({@link #noWorker}). */
    MultiprocException broken(PoolTask task, Throwable noWorker) {
        return new MultiprocException(noWorker.getMessage() + "; task " + task.description() + " was not run",
                noWorker.getCause());
    }

    /** The initializer threw in worker {@code w}. */
    ChildFailedException initializerFailed(Worker w) {
        return new ChildFailedException(engine.name + ": the initializer failed in worker pid " + w.pid() + ": "
                + w.initFailure(), w.initFailure());
    }

    /** A worker died {@code when}: its status, stderr tail and the pool's state. */
    ChildCrashedException crash(Worker w, Optional<ExitStatus> status, String when) {
        List<String> tail = w.process.stderrTailLines();
        StringBuilder message = new StringBuilder(engine.name).append(": worker pid ").append(w.pid())
                .append(" died ").append(when).append(": ")
                .append(status.map(ExitStatus::toString).orElse("exit status unknown"));
        ChildFailures.appendStderrTail(message, "; last lines of its stderr:", tail);
        message.append(" (").append(engine.stateSummary()).append(")");
        return new ChildCrashedException(message.toString(), w.pid(), status.orElse(ExitStatus.ofCode(-1)), tail);
    }

    /** The task ran longer than the pool's task timeout on worker {@code w}, which is killed. */
    TaskTimeoutException timeout(Worker w, PoolTask t, Duration timeout) {
        return new TaskTimeoutException(engine.name + ": task " + t.description() + " ran longer than " + timeout
                + " on worker pid " + w.pid() + "; the worker was killed and is replaced (" + engine.stateSummary()
                + ")", timeout);
    }
}
