package io.github.multiproc.internal.child;

import io.github.multiproc.SerializableCallable;
import io.github.multiproc.SerializableRunnable;
import io.github.multiproc.internal.ipc.AccessWarmUp;
import io.github.multiproc.internal.os.IdleProcessors;
import io.github.multiproc.internal.task.Calls;
import io.github.multiproc.internal.task.LambdaForm;
import io.github.multiproc.internal.task.TaskCall;
import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.FrameIO;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;

/**
 * What a standby child does while it waits for a task: it runs the paths that a task takes through a fresh JVM
 * (reading a frame, deserializing a lambda, making a new lambda class, concatenating strings, writing an answer)
 * until they are loaded, linked and compiled, so that the real task finds them ready. It stops as soon as the task
 * comes, and it sends nothing anywhere.
 *
 * <p>It begins only once the standby has waited {@value #IDLE_FIRST_MILLIS} ms for its task after connecting: in a loop of
 * forks, where each standby is taken as it starts or soon after, the warm-up's CPU time (several times that of the
 * task's own path) would only slow the standbys starting beside it. And it runs only while about a processor is idle
 * (Linux; {@link IdleProcessors}): a standby started beside its parent's busy children would otherwise take some
 * 400 ms of processor time from them (measured: 650-720 ms in a standby's first 0.6 s, 200-300 ms of it the JVM's
 * start).
 */
final class StandbyWarmUp implements Runnable {
    /** Rounds of the whole path: enough for the first tier of the JIT to compile what the path runs most. */
    private static final int ROUNDS = 400;
    /** Of them, this many also make a new lambda class, as a task's first lambda does. */
    private static final int NEW_LAMBDA_ROUNDS = 40;

    /** The library's classes that carry a user's task to a child. */
    static Class<?>[] taskClasses() {
        // a method, not a constant: the main thread touches this class, and must not load these on its way
        return new Class<?>[] {Calls.OfCallable.class, Calls.OfRunnable.class, SerializableCallable.class,
            SerializableRunnable.class, SerializedLambda.class};
    }

    /** How long a connected standby waits for its task before it warms up. */
    static final long IDLE_FIRST_MILLIS = 30;

    private static final java.util.concurrent.CountDownLatch STOP = new java.util.concurrent.CountDownLatch(1);
    private static volatile boolean stop;

    /** Whether its parent uses shared objects, whose operations it then readies too. */
    private final boolean sharedObjects;

    private StandbyWarmUp(boolean sharedObjects) {
        this.sharedObjects = sharedObjects;
    }

    /**
     * Starts warming up on a daemon thread of its own, once the task has not come for {@value #IDLE_FIRST_MILLIS}
     * ms.
     *
     * @param sharedObjects whether the parent uses shared objects: their operations are readied too, afterwards
     */
    static void startWhenIdle(boolean sharedObjects) {
        Thread t = new Thread(new StandbyWarmUp(sharedObjects), "multiproc-standby-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The task has come: leave the processors to it. */
    static void stop() {
        stop = true;
        STOP.countDown();
    }

    @Override
    public void run() {
        try {
            if (STOP.await(IDLE_FIRST_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS) || !awaitIdleProcessor()) {
                return; // the task came first
            }
            TaskCall probe = (TaskCall & java.io.Serializable) () -> Integer.valueOf(1);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle target = lookup.findStatic(StandbyWarmUp.class, "one", MethodType.methodType(Object.class));
            for (Class<?> type : taskClasses()) {
                // what wraps a user's task, and the descriptors deserializing it needs
                java.io.ObjectStreamClass.lookup(type);
            }
            for (int i = 0; i < ROUNDS && !stop; i++) {
                if (i % IDLE_CHECK_ROUNDS == IDLE_CHECK_ROUNDS - 1 && !awaitIdleProcessor()) {
                    return;
                }
                roundTrip(probe, i);
                if (i < NEW_LAMBDA_ROUNDS) {
                    Object lambda = LambdaMetafactory.metafactory(lookup, "call", MethodType.methodType(TaskCall.class),
                            MethodType.methodType(Object.class), target, MethodType.methodType(Object.class))
                            .getTarget().invoke();
                    ((TaskCall) lambda).call();
                }
            }
            if (sharedObjects && !stop && awaitIdleProcessor()) {
                AccessWarmUp.start(AccessWarmUp.IN_STANDBY); // a task of this parent may well use them
            }
        } catch (Throwable e) { // only a warm-up: the real task reports any real problem
            stop = true;
        }
    }

    /** How often, in rounds, it looks again whether a processor is idle. */
    private static final int IDLE_CHECK_ROUNDS = 50;
    /** Over how long it measures the processors' idle time. */
    private static final long IDLE_CHECK_MILLIS = 100;
    /** At least this many processors idle on average: the warm-up slows no one's work. */
    private static final double IDLE_ENOUGH = 0.9;

    /**
     * Waits until about a processor has been idle over {@value #IDLE_CHECK_MILLIS} ms (at once where that cannot be
     * read): the warm-up takes some 400 ms of processor time, which on a small machine busy with its parent's other
     * children, or anyone's work, would slow that work for a gain that is only likely.
     *
     * @return false if the task came meanwhile
     */
    private static boolean awaitIdleProcessor() throws InterruptedException {
        IdleProcessors before = IdleProcessors.now();
        while (before != null) {
            if (STOP.await(IDLE_CHECK_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return false;
            }
            IdleProcessors now = IdleProcessors.now();
            if (now == null) {
                break;
            }
            double idle = now.since(before);
            if (idle < 0 || idle >= IDLE_ENOUGH) {
                break;
            }
            before = now;
        }
        return !stop;
    }

    /**
     * One task through the channel's codecs, as {@link ChildMain} reads and answers it: in {@link LambdaForm}, and
     * through a serialization stream (a task that captures an object).
     */
    static void roundTrip(TaskCall probe, int round) throws Exception {
        byte[] form = LambdaForm.encode(probe);
        ((TaskCall) LambdaForm.decode(form, form.length)).call();
        ByteArrayOutputStream sent = new ByteArrayOutputStream(1024);
        new FrameIO(new ByteArrayInputStream(new byte[0]), sent).write(Frame.TASK, round, probe);
        FrameIO in = new FrameIO(new ByteArrayInputStream(sent.toByteArray()), OutputStream.nullOutputStream());
        Object task = in.decode(in.read());
        Object value = ((TaskCall) task).call();
        String text = "round " + round + ": " + value + ' ' + (round * 0.5) + ' ' + (long) round;
        FrameIO out = new FrameIO(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream());
        out.writeEmpty(Frame.STDERR_MARK, text.length(), false);
        out.write(Frame.RESULT, round, value);
        out.writeResultPlain(round, value, false);
    }

    private static Object one() {
        return 1;
    }
}
