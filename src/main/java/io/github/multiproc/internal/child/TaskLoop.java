package io.github.multiproc.internal.child;

import io.github.multiproc.SerializableFunction;
import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.channel.ChildChannel;
import io.github.multiproc.internal.task.LambdaForm;
import io.github.multiproc.internal.task.RemoteThrowable;
import io.github.multiproc.internal.task.TaskCall;
import io.github.multiproc.internal.wire.Frame;
import io.github.multiproc.internal.wire.FrameIO;
import io.github.multiproc.internal.wire.PayloadException;
import io.github.multiproc.internal.wire.PlainValues;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A child's work once its channel is up: a one-shot child reads its task, runs it and answers; a pool worker reads
 * tasks until it is told to exit ({@link #serve()}). Every answer is written at once, never batched.
 *
 * <p>Thread safety: the main thread runs the tasks; a worker's reader thread and the {@link EofWatch} read the
 * channel; {@link #finishing()} is volatile.
 */
final class TaskLoop {
    private final ChildChannel channel;
    private volatile boolean finishing;
    /** A pool worker's cancels; null in a one-shot child. */
    private TaskGate gate;
    private final String name;

    TaskLoop(ChildChannel channel) {
        this.name = channel.settings.name();
        this.channel = channel;
    }

    ChildChannel channel() {
        return channel;
    }

    /** Whether this child is leaving on its own: the end of the channel is then no lost parent. */
    boolean finishing() {
        return finishing;
    }

    /** Reads settings, then tasks; returns the exit code. */
    int serve() throws IOException {
        if (channel.settings.mode() == ChannelProtocol.MODE_WORKER) {
            return serveWorker();
        }
        Frame frame;
        try {
            frame = channel.io.read();
        } catch (IOException e) {
            frame = null;
        }
        if (frame == null || frame.type() == Frame.EXIT) {
            ChildMain.parentLost("channel closed");
            return 0;
        }
        if (frame.type() != Frame.TASK) {
            System.err.println("multiproc: unexpected message " + frame.kind() + " from the parent");
            return 2;
        }
        // Nothing else comes from the parent but the end of the channel: watch for it while the task runs.
        ChildMain.EOF_WATCH.watch(this);
        boolean ok = runOne(frame);
        finishing = true;
        // The parent closes its end once it has the answer, and the watch leaves its read. No thread may sit in a
        // blocking read at exit (HotSpot would wait 300 ms for it), but closing this end under the watch's read costs
        // a JDK 25 child (not a JDK 17 one) 5-15 ms: that close initializes sun.nio.ch.Net (InetAddress, the extended
        // socket options and their native library). So this end is closed only if the parent has not closed its own
        // in time.
        if (!ChildMain.EOF_WATCH.awaitEnd(PARENT_CLOSE_WAIT_MILLIS)) {
            channel.close();
        }
        return ok ? 0 : 1;
    }

    /** How long a child that is done (answered, or told to exit) waits for its parent to close the channel. */
    static final long PARENT_CLOSE_WAIT_MILLIS = 200;

    /**
     * A one-shot child is about to send its answer, after which its parent closes the channel: from now on the end
     * of the channel is no lost parent.
     */
    private void answering() {
        if (channel.settings.mode() == ChannelProtocol.MODE_ONE_SHOT) {
            finishing = true;
        }
    }

    /**
     * A pool worker: a reader thread takes frames off the channel as they come (so that a lost parent is noticed even
     * during a long task) and this thread runs the tasks in order. Task id 0 is the pool's initializer; if it fails,
     * the worker leaves.
     */
    private int serveWorker() throws IOException {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        TaskGate gate = new TaskGate();
        this.gate = gate;
        Thread reader = new Thread(() -> {
            try {
                Frame f;
                while ((f = channel.io.read()) != null) {
                    if (f.type() == Frame.CANCEL) {
                        gate.cancel(f.id()); // skipped when its turn comes, or this JVM ends if it runs now
                        channel.io.writeEmpty(Frame.CANCEL_ACK, f.id(), true); // the parent waits for this word
                    } else {
                        if (f.type() == Frame.TASK || f.type() == Frame.APPLY_PLAIN) {
                            gate.received(f.id());
                        } else if (f.type() == Frame.EXIT) {
                            finishing = true; // the parent's end closes next: no lost parent
                        }
                        frames.add(f);
                    }
                }
            } catch (IOException ignored) {
                // the same as the end of the channel
            }
            if (!finishing) {
                ChildMain.parentLost("channel closed");
            }
            frames.add(new Frame(Frame.EXIT, 0, new byte[0], 0));
        }, "multiproc-worker-reader");
        reader.setDaemon(true);
        reader.start();
        while (true) {
            Frame frame;
            try {
                frame = frames.take();
            } catch (InterruptedException e) {
                return 1;
            }
            if (frame.type() == Frame.EXIT) {
                finishing = true;
                channel.io.flush();
                // the parent shuts its end after the exit word: the reader then leaves its read, and this end need
                // not be closed under it (see serve())
                if (!EofWatch.hasEnded(reader, PARENT_CLOSE_WAIT_MILLIS)) {
                    channel.close();
                }
                return 0;
            }
            if (frame.type() == Frame.FUNCTION) {
                try {
                    defineFunction(frame);
                } catch (OutOfStepException e) {
                    leave();
                    return 1;
                }
                continue;
            }
            if (!gate.start(frame.id())) {
                if (frame.type() == Frame.TASK && !LambdaForm.isLambdaForm(frame.payload(), frame.length())) {
                    // read, not run: the class descriptors it brings are needed to read the tasks after it
                    try {
                        channel.io.decode(frame);
                    } catch (PayloadException e) {
                        if (!e.inStep()) {
                            leave();
                            return 1;
                        }
                    }
                }
                try {
                    channel.io.write(Frame.SKIPPED, frame.id(), null);
                } catch (PayloadException impossible) {
                    throw new IOException(impossible);
                }
                continue;
            }
            boolean ok;
            try {
                // Every answer leaves at once, never batched: if this worker dies during the next task, the
                // parent must know exactly which tasks were done, to fail the right one and rerun no other.
                ok = runOne(frame);
            } catch (OutOfStepException e) {
                leave();
                return 1;
            } finally {
                gate.finished();
            }
            if (!ok && frame.id() == 0) {
                leave(); // the initializer failed: this worker is no use
                return 1;
            }
        }
    }

    /** Tells the parent that this worker goes, so that what it sent and was not answered is run elsewhere. */
    private void leave() throws IOException {
        finishing = true;
        try {
            channel.io.write(Frame.EXIT, 0, null);
        } catch (PayloadException impossible) {
            throw new IOException(impossible);
        }
        channel.close();
    }

    /** The task stream lost its place: no later task can be read. */
    private static final class OutOfStepException extends IOException {
        private static final long serialVersionUID = 1L;

        OutOfStepException(Throwable cause) {
            super("task stream out of step", cause);
        }
    }

    /** Runs one task frame and sends its outcome; returns whether the task succeeded. */
    private boolean runOne(Frame frame) throws IOException {
        Object task;
        try {
            task = frame.type() == Frame.APPLY_PLAIN ? plainTask(frame) : decode(frame);
        } catch (PayloadException e) {
            send(Frame.TASK_UNREADABLE, frame.id(), e.getCause());
            if (!e.inStep()) {
                throw new OutOfStepException(e);
            }
            return false;
        }
        Object value;
        try {
            value = call(task);
        } catch (Throwable t) { // the task's own failure, of any kind, goes back to the parent
            taskReturned();
            if (channel.settings.mode() == ChannelProtocol.MODE_ONE_SHOT) {
                // as an uncaught exception would be, and as Python's Process prints its traceback
                System.err.print("Exception in task " + name + ": ");
                t.printStackTrace();
            }
            flushStdStreams();
            send(Frame.FAILED, frame.id(), t);
            return false;
        }
        taskReturned();
        flushStdStreams();
        answering();
        try {
            markStderr();
            if (PlainValues.isPlain(value)) { // no object stream: a fresh child's first costs it milliseconds
                channel.io.writeResultPlain(frame.id(), value, true);
            } else {
                channel.io.write(Frame.RESULT, frame.id(), value);
            }
            return true;
        } catch (IOException e) {
            if (channel.settings.mode() == ChannelProtocol.MODE_ONE_SHOT) {
                return true; // a detached child whose parent is gone: nobody is left to tell
            }
            throw e;
        } catch (PayloadException e) {
            NotSerializableException why = new NotSerializableException("the task's result, of "
                    + (value == null ? "null" : value.getClass().getName()) + ", cannot be serialized: "
                    + (e.getCause() instanceof OutOfMemoryError ? "it does not fit in this child's heap ("
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; raise it with jvmOptions(\"-Xmx...\")): " : "")
                    + e.getCause());
            why.initCause(e.getCause());
            send(Frame.RESULT_UNSENDABLE, frame.id(), why);
            return false;
        }
    }

    /** Reads a task or function frame's payload: in {@link LambdaForm} without an object stream, else with one. */
    private Object decode(Frame frame) throws PayloadException {
        if (LambdaForm.isLambdaForm(frame.payload(), frame.length())) {
            return LambdaForm.decode(frame.payload(), frame.length());
        }
        return channel.io.decode(frame);
    }

    /** The functions the parent has sent on this connection ({@link Frame#FUNCTION}), by number. */
    private final java.util.Map<Integer, Object> functions = new java.util.HashMap<>();

    /** Keeps a {@link Frame#FUNCTION}: the function, or why it could not be read, for the tasks that name it. */
    private void defineFunction(Frame frame) throws OutOfStepException {
        try {
            functions.put((int) frame.id(), decode(frame));
        } catch (PayloadException e) {
            functions.put((int) frame.id(), new PayloadException(e.getCause(), true));
            if (!e.inStep()) {
                throw new OutOfStepException(e);
            }
        }
    }

    /** The task of an {@link Frame#APPLY_PLAIN} frame: a function sent before, and a plain argument. */
    private TaskCall plainTask(Frame frame) throws PayloadException {
        Object[] parts = FrameIO.applyPlain(frame);
        Object function = functions.get((Integer) parts[0]);
        if (function instanceof PayloadException) {
            throw (PayloadException) function; // the function itself could not be read
        }
        if (function instanceof TaskCall) {
            return (TaskCall) function; // a callable or runnable: the same task each time, no argument
        }
        if (!(function instanceof SerializableFunction)) {
            throw new PayloadException(new java.io.StreamCorruptedException("no function " + parts[0]
                    + " on this connection"), true);
        }
        @SuppressWarnings("unchecked")
        SerializableFunction<Object, Object> fn =
                (SerializableFunction<Object, Object>) function;
        Object arg = parts[1];
        return new PlainCall(fn, arg);
    }

    /** A function and its argument, as a task. */
    private static final class PlainCall implements TaskCall {
        private static final long serialVersionUID = 1L;
        private final transient SerializableFunction<Object, Object> fn;
        private final transient Object arg;

        PlainCall(SerializableFunction<Object, Object> fn, Object arg) {
            this.fn = fn;
            this.arg = arg;
        }

        @Override
        public Object call() throws Exception {
            return fn.apply(arg);
        }
    }

    private static Object call(Object task) throws Exception {
        if (task instanceof TaskCall) {
            return ((TaskCall) task).call();
        }
        if (task instanceof Callable) {
            return ((Callable<?>) task).call();
        }
        throw new IllegalArgumentException("not a task: " + (task == null ? "null" : task.getClass().getName()));
    }

    /** Sends a throwable, falling back to a serializable stand-in when it cannot be serialized. */
    private void send(int kind, long id, Throwable t) throws IOException {
        try {
            sendOrDrop(kind, id, t);
        } catch (PayloadException e) {
            try {
                sendOrDrop(kind, id, RemoteThrowable.of(t));
            } catch (PayloadException again) {
                throw new IOException("cannot send the task's exception", again);
            }
        }
    }

    private void sendOrDrop(int kind, long id, Object payload) throws IOException, PayloadException {
        answering();
        try {
            markStderr();
            channel.io.write(kind, id, payload);
        } catch (IOException e) {
            if (channel.settings.mode() != ChannelProtocol.MODE_ONE_SHOT) {
                throw e;
            }
            // a detached child whose parent is gone: nobody is left to tell
        }
    }

    /**
     * A one-shot child's answer is preceded by a marker in its stderr (see {@link StderrMark}) and a frame saying how
     * many it has written, so that the parent forwards what came before the marker first.
     */
    private void markStderr() throws IOException {
        if (channel.settings.mode() == ChannelProtocol.MODE_ONE_SHOT) {
            channel.io.writeEmpty(Frame.STDERR_MARK, StderrMark.mark(channel.settings.stderrMarker()), false);
        }
    }

    private static void flushStdStreams() {
        System.out.flush();
        System.err.flush();
    }

    /**
     * The task has returned (or thrown): from now on a cancel for it must not end this worker, whose answer is on
     * its way and whose next task may start any moment.
     */
    private void taskReturned() {
        if (gate != null) {
            gate.finished();
        }
    }
}
