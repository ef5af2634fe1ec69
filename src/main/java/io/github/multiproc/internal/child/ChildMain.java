package io.github.multiproc.internal.child;

import io.github.multiproc.internal.channel.ChannelProtocol;
import io.github.multiproc.internal.channel.ChildChannel;
import io.github.multiproc.internal.ipc.AccessWarmUp;
import io.github.multiproc.internal.task.LambdaForm;
import io.github.multiproc.internal.task.TaskCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The main class of every task child and pool worker.
 *
 * <p>Arguments: {@code <address> <key file> <parent pid> <parent start (see ProcessStart)> <name> [standby]}, where
 * the address is {@code unix:<path>} or {@code tcp:<port>}, the name is only for {@code ps} (the settings carry the
 * real one: a standby child is started before anyone knows its name), and {@code standby} marks a child started
 * ahead of need, which warms up while it waits. The child reads the per-child secret from the key file (then deletes
 * it), connects, proves that it knows the secret, checks that the parent does too, and receives its settings and
 * tasks over the channel. Nothing is deserialized before both ends have proved themselves.
 */
public final class ChildMain {
    /** The sixth argument of a standby child: started before it is needed, it warms up while it waits. */
    public static final String STANDBY = "standby";
    /**
     * The sixth argument of a child whose policy lets it outlive its parent ({@code DETACH}, {@code WAIT}): it must
     * not halt when its parent is gone before its settings, which say so too, have been read.
     */
    public static final String OUTLIVES_PARENT = "outlives-parent";
    /**
     * A flag of the sixth argument (after a comma, if there is another) of a child whose task carries shared-object
     * handles, or of a standby child of a JVM that uses them: it readies their operations ({@link AccessWarmUp}) as
     * it starts, or as a standby while it waits.
     */
    public static final String SHARED_OBJECTS = "shared-objects";

    /** Until the parent's settings say otherwise, a lost parent ends this child. */
    private static volatile boolean haltOnParentLoss = true;

    /** Started before the channel is up; watches it once a one-shot child has its task. */
    static final EofWatch EOF_WATCH = new EofWatch();

    private ChildMain() {
    }

    /**
     * Runs the child.
     *
     * @param args see the class comment
     * @throws Exception if the channel cannot be set up
     */
    public static void main(String[] args) throws Exception {
        ChildRuntime.markChild();
        StderrMark.install();
        if (args.length < 4) {
            System.err.println("multiproc: ChildMain is started by the multiproc library, not by hand");
            System.exit(2);
        }
        List<String> flags = args.length > 5 ? Arrays.asList(args[5].split(",")) : List.of();
        boolean standby = flags.contains(STANDBY);
        boolean sharedObjects = flags.contains(SHARED_OBJECTS);
        startWarmUp(sharedObjects && !standby);
        if (flags.contains(OUTLIVES_PARENT)) {
            haltOnParentLoss = false; // before the watches start: its parent may exit right after handing the task
        }
        EOF_WATCH.start();
        // watched from the start: a standby child may wait a long time for its settings
        new ParentWatch(Long.parseLong(args[2]), Long.parseLong(args[3])).start();
        Path keyFile = Path.of(args[1]);
        ChildChannel channel;
        try {
            // gone if the parent ended, or gave this standby up, while it started: its run directory went with it
            byte[] secret = Files.readAllBytes(keyFile);
            Files.deleteIfExists(keyFile);
            // (no lambda or method reference on this thread before the task: see startWarmUp)
            channel = ChildChannel.connect(args[0], secret, new Runnable() {
                @Override
                public void run() {
                    if (standby) {
                        StandbyWarmUp.startWhenIdle(sharedObjects);
                    }
                }
            });
        } catch (ChannelProtocol.NotTheParentException e) {
            // another process holds the parent's address, a dead parent's loopback port most likely
            System.err.println("multiproc: child " + ProcessHandle.current().pid() + ": " + e.getMessage() + " at "
                    + args[0] + "; exiting without running anything");
            Runtime.getRuntime().halt(ChannelProtocol.EXIT_PARENT_LOST);
            return;
        } catch (IOException e) {
            // the parent closed the channel before it gave this child anything to do (a standby child no longer
            // needed, a worker its pool's close() ended while it started, or a parent that is gone: no key file,
            // EOF, a reset, or a broken pipe mid-handshake): nothing to report
            Runtime.getRuntime().halt(ChannelProtocol.EXIT_PARENT_LOST);
            return;
        }
        StandbyWarmUp.stop();
        haltOnParentLoss = channel.settings.halt();
        int code = new TaskLoop(channel).serve();
        if (code == 0 && ExitQuietly.wanted() && ExitQuietly.begin()) {
            return; // the JVM ends as a program whose main returns: hooks run, exit status 0
        }
        System.exit(code);
    }

    /**
     * While the main thread connects (socket classes, the JDK's own SecureRandom for Unix-domain sockets), a second
     * core readies what reading the task needs: the lambda machinery and the reflection that rebuilds a lambda, by
     * sending one through {@link LambdaForm}. It leaves the object streams alone: a fresh JVM's first
     * {@code ObjectInputStream} scans the class path, and most tasks never need one. Whatever it has not finished,
     * the main thread does as usual.
     */
    private static void startWarmUp(boolean sharedObjects) {
        // no lambda on the main thread before the task: the first one readies java.lang.invoke, some 15 ms, which
        // is this thread's work (the task is most often a lambda), not the main thread's
        Thread warm = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    TaskCall probe = (TaskCall & java.io.Serializable) () -> null;
                    byte[] bytes = LambdaForm.encode(probe);
                    LambdaForm.decode(bytes, bytes.length);
                } catch (Exception | LinkageError e) {
                    // only a warm-up: the real task will report any real problem
                }
                if (sharedObjects) {
                    // the task will use shared objects: their operations, run interpreted, take microseconds each
                    // until compiled, and the task's first thousands would wait for that behind the start-up's
                    // compilations
                    AccessWarmUp.start(AccessWarmUp.AT_CHILD_START);
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

    /** The parent is gone ({@code why}): this child halts unless its settings say it outlives its parent. */
    static void parentLost(String why) {
        if (haltOnParentLoss) {
            Runtime.getRuntime().halt(ChannelProtocol.EXIT_PARENT_LOST);
        }
    }

    /** Whether a lost parent ends this child (its settings may say it outlives its parent). */
    static boolean haltsOnParentLoss() {
        return haltOnParentLoss;
    }
}
