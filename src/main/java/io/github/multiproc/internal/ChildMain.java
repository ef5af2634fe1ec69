package io.github.multiproc.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Callable;

/**
 * The main class of every task child and pool worker.
 *
 * <p>Arguments: {@code <address> <key file> <parent pid> <parent start (see ProcessStart)> <name> [standby]}, where
 * the address is {@code unix:<path>} or {@code tcp:<port>}, the name is only for {@code ps} (the settings carry the
 * real one: a standby child is started before anyone knows its name), and {@code standby} marks a child started
 * ahead of need, which warms up while it waits. The child reads the per-child secret from the key file (then deletes
 * it), connects, proves itself with the secret, and receives its settings and tasks over the channel. Nothing is
 * deserialized before the parent has accepted the secret.
 */
public final class ChildMain {
    private static final long WATCH_PERIOD_MS = 100;

    /** The sixth argument of a standby child: started before it is needed, it warms up while it waits. */
    public static final String STANDBY = "standby";

    /** Until the parent's settings say otherwise, a lost parent ends this child. */
    private static volatile boolean haltOnParentLoss = true;

    private final Channel channel;
    private volatile boolean finishing;
    private final String name;

    private ChildMain(Channel channel) {
        this.name = channel.settings.name();
        this.channel = channel;
    }

    /**
     * Runs the child.
     *
     * @param args see the class comment
     * @throws Exception if the channel cannot be set up
     */
    public static void main(String[] args) throws Exception {
        ChildRuntime.markChild();
        StderrCount.install();
        if (args.length < 4) {
            System.err.println("multiproc: ChildMain is started by the multiproc library, not by hand");
            System.exit(2);
        }
        startWarmUp();
        boolean standby = args.length > 5 && STANDBY.equals(args[5]);
        if (standby) {
            StandbyWarmUp.start();
        }
        EOF_WATCH.start();
        // watched from the start: a standby child may wait a long time for its settings
        new ParentWatch(Long.parseLong(args[2]), Long.parseLong(args[3])).start();
        Path keyFile = Path.of(args[1]);
        byte[] secret = Files.readAllBytes(keyFile);
        Files.deleteIfExists(keyFile);
        Channel channel;
        try {
            channel = Channel.connect(args[0], secret);
        } catch (EOFException | SocketException e) {
            // the parent closed the channel before it gave this child anything to do (a standby child no longer
            // needed, or a parent that is gone): nothing to report
            Runtime.getRuntime().halt(ChannelProtocol.EXIT_PARENT_LOST);
            return;
        }
        StandbyWarmUp.stop();
        haltOnParentLoss = channel.settings.halt();
        System.exit(new ChildMain(channel).serve());
    }

    /**
     * While the main thread connects (socket classes, the JDK's own SecureRandom for Unix-domain sockets), a second
     * core readies what reading the task needs: the serialization classes and the lambda machinery, by sending a
     * lambda through a stream of its own. Whatever it has not finished, the main thread does as usual.
     */
    private static void startWarmUp() {
        // no lambda on the main thread before the task: the first one readies java.lang.invoke, some 15 ms, which
        // is this thread's work (the task is most often a lambda), not the main thread's
        Thread warm = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    TaskCall probe = (TaskCall & java.io.Serializable) () -> null;
                    byte[] bytes = FrameIO.serializeStandalone(probe);
                    new CompactObjectInput(new java.io.ByteArrayInputStream(bytes), new java.util.ArrayList<>(),
                            new java.util.HashMap<>()).readObject();
                } catch (Exception | LinkageError e) {
                    // only a warm-up: the real task will report any real problem
                }
            }
        }, "multiproc-warm-up");
        warm.setDaemon(true);
        warm.start();
        // the JDK's Unix-domain socket support makes a SecureRandom when the channel first opens; load its
        // providers now, on the side
        Thread random = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    java.security.SecureRandom.getInstance("NativePRNGNonBlocking");
                } catch (java.security.NoSuchAlgorithmException | RuntimeException e) {
                    // only a warm-up
                }
            }
        }, "multiproc-warm-up-random");
        random.setDaemon(true);
        random.start();
    }

    private static void parentLost(String why) {
        if (haltOnParentLoss) {
            Runtime.getRuntime().halt(ChannelProtocol.EXIT_PARENT_LOST);
        }
    }

    /** Reads settings, then tasks; returns the exit code. */
    private int serve() throws IOException {
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
            parentLost("channel closed");
            return 0;
        }
        if (frame.type() != Frame.TASK) {
            System.err.println("multiproc: unexpected message " + frame.kind() + " from the parent");
            return 2;
        }
        // Nothing else comes from the parent but the end of the channel: watch for it while the task runs.
        EOF_WATCH.watch(this);
        boolean ok = runOne(frame);
        finishing = true;
        // No thread may sit in a blocking read at exit: HotSpot would wait 300 ms for it.
        channel.close();
        return ok ? 0 : 1;
    }

    /**
     * A pool worker: a reader thread takes frames off the channel as they come (so that a lost parent is noticed even
     * during a long task) and this thread runs the tasks in order. Task id 0 is the pool's initializer; if it fails,
     * the worker leaves.
     */
    private int serveWorker() throws IOException {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        Set<Long> cancelled = ConcurrentHashMap.newKeySet();
        Thread reader = new Thread(() -> {
            try {
                Frame f;
                while ((f = channel.io.read()) != null) {
                    if (f.type() == Frame.CANCEL) {
                        cancelled.add(f.id()); // the main thread skips it when its turn comes
                    } else {
                        frames.add(f);
                    }
                }
            } catch (IOException ignored) {
                // the same as the end of the channel
            }
            if (!finishing) {
                parentLost("channel closed");
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
                channel.close();
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
            if (cancelled.remove(frame.id())) {
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

    /**
     * The thread that reads a one-shot child's channel while its task runs, to notice a lost parent at once. It is
     * started before the channel is up, so that starting a thread is not on the way from the task's arrival to its
     * answer, and waits until it is given the channel.
     */
    private static final class EofWatch {
        private final java.util.concurrent.CompletableFuture<ChildMain> child =
                new java.util.concurrent.CompletableFuture<>();

        void start() {
            Thread t = new Thread(new Runnable() {
                @Override
                public void run() {
                    watchUntilEnd();
                }
            }, "multiproc-parent-eof");
            t.setDaemon(true);
            t.start();
        }

        void watch(ChildMain main) {
            child.complete(main);
        }

        private void watchUntilEnd() {
            ChildMain main;
            try {
                main = child.get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                return;
            }
            try {
                while (main.channel.io.read() != null) {
                    // nothing else is expected
                }
            } catch (IOException ignored) {
                // the same as the end of the channel
            }
            if (!main.finishing) {
                parentLost("channel closed");
            }
        }
    }

    private static final EofWatch EOF_WATCH = new EofWatch();

    /** Runs one task frame and sends its outcome; returns whether the task succeeded. */
    private boolean runOne(Frame frame) throws IOException {
        Object task;
        try {
            task = frame.type() == Frame.APPLY_PLAIN ? plainTask(frame) : channel.io.decode(frame);
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
            if (channel.settings.mode() == ChannelProtocol.MODE_ONE_SHOT) {
                // as an uncaught exception would be, and as Python's Process prints its traceback
                System.err.print("Exception in task " + name + ": ");
                t.printStackTrace();
            }
            flushStdStreams();
            send(Frame.FAILED, frame.id(), t);
            return false;
        }
        flushStdStreams();
        try {
            markStderr();
            if (channel.settings.mode() == ChannelProtocol.MODE_WORKER && PlainValues.isPlain(value)) {
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
                    + e.getCause());
            why.initCause(e.getCause());
            send(Frame.RESULT_UNSENDABLE, frame.id(), why);
            return false;
        }
    }

    /** The functions the parent has sent on this connection ({@link Frame#FUNCTION}), by number. */
    private final java.util.Map<Integer, Object> functions = new java.util.HashMap<>();

    /** Keeps a {@link Frame#FUNCTION}: the function, or why it could not be read, for the tasks that name it. */
    private void defineFunction(Frame frame) throws OutOfStepException {
        try {
            functions.put((int) frame.id(), channel.io.decode(frame));
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
        if (!(function instanceof io.github.multiproc.SerializableFunction)) {
            throw new PayloadException(new java.io.StreamCorruptedException("no function " + parts[0]
                    + " on this connection"), true);
        }
        @SuppressWarnings("unchecked")
        io.github.multiproc.SerializableFunction<Object, Object> fn =
                (io.github.multiproc.SerializableFunction<Object, Object>) function;
        Object arg = parts[1];
        return new PlainCall(fn, arg);
    }

    /** A function and its argument, as a task. */
    private static final class PlainCall implements TaskCall {
        private static final long serialVersionUID = 1L;
        private final transient io.github.multiproc.SerializableFunction<Object, Object> fn;
        private final transient Object arg;

        PlainCall(io.github.multiproc.SerializableFunction<Object, Object> fn, Object arg) {
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

    /** A one-shot child's answer is preceded by how much it wrote to stderr, which the parent forwards first. */
    private void markStderr() throws IOException {
        if (channel.settings.mode() == ChannelProtocol.MODE_ONE_SHOT) {
            channel.io.writeEmpty(Frame.STDERR_MARK, StderrCount.flushAndCount(), false);
        }
    }

    private static void flushStdStreams() {
        System.out.flush();
        System.err.flush();
    }

    /** The connection to the parent, authenticated, with the settings the parent sent. */
    static final class Channel {
        final FrameIO io;
        final ChannelProtocol.Settings settings;
        private final SocketChannel socket;

        private Channel(SocketChannel socket, FrameIO io, ChannelProtocol.Settings settings) {
            this.socket = socket;
            this.io = io;
            this.settings = settings;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closed already
            }
        }

        static Channel connect(String address, byte[] secret) throws IOException {
            SocketChannel socket;
            if (address.startsWith("unix:")) {
                SocketAddress where = UnixDomainSocketAddress.of(address.substring(5));
                socket = SocketChannel.open(StandardProtocolFamily.UNIX);
                socket.connect(where);
            } else if (address.startsWith("tcp:")) {
                socket = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        Integer.parseInt(address.substring(4))));
                socket.socket().setTcpNoDelay(true);
            } else {
                throw new IllegalArgumentException("bad channel address " + address);
            }
            InputStream in = new BufferedInputStream(ChannelStreams.in(socket), 1 << 16);
            OutputStream out = new BufferedOutputStream(ChannelStreams.out(socket), 1 << 16);
            ChannelProtocol.sendHello(out, secret);
            ChannelProtocol.Settings settings = ChannelProtocol.readSettings(in);
            return new Channel(socket, new FrameIO(in, out), settings);
        }
    }

    /** Polls the parent's pid and start instant; notices a lost parent even if the channel stays open. */
    static final class ParentWatch {
        private final long parentPid;
        private final long parentStart;

        ParentWatch(long parentPid, long parentStart) {
            this.parentPid = parentPid;
            this.parentStart = parentStart;
        }

        void start() {
            Thread t = new Thread(new Runnable() {
                @Override
                public void run() {
                    // off the main thread: reading the parent's start instant costs a few milliseconds
                    if (!parentStarted()) {
                        parentLost("parent gone");
                    }
                    while (true) {
                        try {
                            Thread.sleep(WATCH_PERIOD_MS);
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (haltOnParentLoss && !parentAlive()) {
                            parentLost("parent gone");
                        }
                    }
                }
            }, "multiproc-parent-watch");
            t.setDaemon(true);
            t.start();
        }

        /** Cheap, for every poll: a child whose parent dies is re-parented, so its parent pid changes. */
        boolean parentAlive() {
            Optional<ProcessHandle> parent = ProcessHandle.current().parent();
            return parent.isEmpty() ? parentStarted() : parent.get().pid() == parentPid;
        }

        /** The parent's pid names a live process that started when the parent did (not a reused pid). */
        boolean parentStarted() {
            Optional<ProcessHandle> handle = ProcessHandle.of(parentPid);
            if (handle.isEmpty() || !handle.get().isAlive()) {
                return false;
            }
            long start = ProcessStart.of(handle.get());
            return start == 0 || parentStart <= 0 || start == parentStart;
        }
    }
}
