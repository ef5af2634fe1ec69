package io.github.multiproc.internal.spawn;

import io.github.multiproc.ParentExit;
import io.github.multiproc.internal.channel.ChannelListener;
import io.github.multiproc.internal.launch.LaunchCommand;
import io.github.multiproc.internal.os.ProcessStart;
import io.github.multiproc.internal.os.RunQueue;
import io.github.multiproc.internal.runtime.LibraryTimer;
import io.github.multiproc.internal.runtime.Settings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standby children ({@code multiproc.standby}): task child JVMs started before they are needed, taken by the
 * next fork launched as they were, and replaced on a thread of their own ({@code multiproc-standby}).
 *
 * <p>Their number follows the forks: {@code multiproc.standby} at rest; each fork that takes one still starting keeps
 * one more, up to {@code multiproc.standbyMax}, so that in a loop of forks several start side by side and each fork
 * finds one further along; after {@link #IDLE_RETIRE} without such a fork, the extra ones retire. A pool takes
 * standbys as its first workers ({@link #takeForWorker()}).
 *
 * <p>Thread safety: safe for concurrent use; the state below is guarded by {@link #lock}.
 */
final class Standbys {
    private static final Logger LOG = LoggerFactory.getLogger(Standbys.class);
    static final ChildSpec STANDBY_SPEC = new ChildSpec("standby", null, Map.of(), null, null, null, null,
            ParentExit.TERMINATE, Duration.ZERO);
    /** How long a fork waits for a standby that is being launched (the launch itself takes a millisecond or two). */
    static final Duration LAUNCH_WAIT = Duration.ofMillis(100);
    /** How long standbys above {@code multiproc.standby} are kept after the last fork that found none ready. */
    static final Duration IDLE_RETIRE = Duration.ofSeconds(5);

    private final Children children;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    /** Standby children not yet taken, oldest first. */
    private final Deque<Standby> waiting = new ArrayDeque<>();
    /** Standby children being started. */
    private int starting;
    /** Set at JVM exit: no more standby children. */
    private boolean exiting;
    /** How many to keep now, from {@code multiproc.standby} up to {@code multiproc.standbyMax}; 0 until a burst. */
    private int wanted;
    /** When the last fork found no standby ready ({@link System#nanoTime()}). */
    private long lastBurst;
    /** Whether a retirement check is scheduled. */
    private boolean retireScheduled;
    /** Whether a refill waits for free processors ({@link #refillWhenFree()}). */
    private boolean refillPending;

    /** The inputs of a standby key, and the key they made: building a command line is slow in cold code. */
    private record KeyCache(List<Object> inputs, List<String> key) {
    }

    private volatile KeyCache keyCache;

    Standbys(Children children) {
        this.children = children;
    }

    /**
     * Whether a task child could run on a standby: nothing about its JVM or process differs from the defaults (a
     * detached child's stderr is not piped to this JVM, so it cannot be one either).
     */
    static boolean fits(List<String> jvmOptions, Map<String, String> systemProperties, ChildSpec spec) {
        return jvmOptions.isEmpty() && systemProperties.isEmpty() && spec.directory() == null
                && spec.environment().isEmpty() && spec.stdin() == null && spec.stdout() == null
                && spec.stderr() == null && spec.outputSink() == null && spec.parentExit() != ParentExit.DETACH;
    }

    /**
     * Takes a standby child launched as a fork would be now; discards those launched otherwise; null if none. A fork
     * that takes one still starting keeps one more standby from now on, up to {@code multiproc.standbyMax}: forks come
     * faster than JVMs start. (One that finds none at all is no such sign: a first fork, or two forks at once.)
     */
    Standby take() {
        Standby standby = takeLaunched();
        if (standby != null && !standby.channel.connected()) {
            burst();
        }
        return standby;
    }

    /**
     * Takes a standby child launched as a fork would be now, for a pool worker: a connected one if there is one, else
     * the oldest (still starting, it is further along than a JVM started now). Null if none is there or being
     * launched.
     */
    Standby takeForWorker() {
        List<String> key;
        try {
            key = currentKey();
        } catch (RuntimeException e) {
            return null; // no command line can be built now: the pool's own launch reports it
        }
        List<Standby> unfit = new ArrayList<>();
        Standby taken = null;
        lock.lock();
        try {
            awaitLaunch();
            for (java.util.Iterator<Standby> it = waiting.iterator(); it.hasNext(); ) {
                Standby s = it.next();
                if (!s.launchKey.equals(key) || !s.process.isAlive()) {
                    it.remove();
                    unfit.add(s);
                }
            }
            Standby pick = waiting.stream().filter(s -> s.channel.connected()).findFirst()
                    .orElse(waiting.peekFirst());
            if (pick != null && pick.take()) {
                waiting.remove(pick);
                taken = pick;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        unfit.forEach(this::discard);
        return taken;
    }

    private Standby takeLaunched() {
        List<String> key = null;
        while (true) {
            Standby standby = poll();
            if (standby == null) {
                return null;
            }
            if (key == null) {
                try {
                    key = currentKey();
                } catch (RuntimeException e) {
                    // no command line can be built now (a bad setting): the fork's own launch reports it
                    discard(standby);
                    return null;
                }
            }
            // the JDK's Process.isAlive() lags a killed child until its reaper thread has waited for it; the OS's
            // view (a zombie is not alive) does not
            if (standby.launchKey.equals(key) && standby.process.isAlive() && standby.process.toHandle().isAlive()
                    && standby.take()) {
                return standby;
            }
            discard(standby); // launched differently (a setting changed since), or gone
        }
    }

    /**
     * The oldest standby; if none is there but one is being launched, waits for it a little: it will be ready
     * sooner than a JVM started now.
     */
    private Standby poll() {
        lock.lock();
        try {
            awaitLaunch();
            return waiting.pollFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** If none is waiting but one is being launched, waits up to {@link #LAUNCH_WAIT} for it (the lock is held). */
    private void awaitLaunch() throws InterruptedException {
        long nanos = LAUNCH_WAIT.toNanos();
        while (waiting.isEmpty() && starting > 0 && nanos > 0) {
            nanos = added.awaitNanos(nanos);
        }
    }

    /**
     * The key of a standby started now, from the properties that decide it; remade only when one of them changes.
     * Every {@code multiproc.*} property is on a child's command line, so a standby launched before one changed is
     * not taken after.
     */
    private List<String> currentKey() {
        List<Object> inputs = java.util.Arrays.asList(System.getProperty("java.class.path"),
                System.getProperty("jdk.module.path"), System.getProperty("jdk.module.main"),
                Settings.libraryProperties());
        KeyCache cache = keyCache;
        if (cache == null || !cache.inputs().equals(inputs)) {
            cache = new KeyCache(inputs, key(children.launch().defaultChildJvm(), Settings.transport()));
            keyCache = cache;
        }
        return cache.key();
    }

    /** What a fork must share with a standby to take it: the JVM's command line and the channel's transport. */
    private static List<String> key(List<String> command, String transport) {
        List<String> key = new ArrayList<>(LaunchCommand.launchKey(command));
        key.add(transport);
        return key;
    }

    /**
     * A fork took a standby still starting: one more is kept from the next refill on (after the fork's result, or a
     * little after its task was sent; starting one now would slow the JVM this fork waits for).
     */
    private void burst() {
        boolean schedule;
        lock.lock();
        try {
            int base = wantedNow();
            if (base == 0) {
                return;
            }
            wanted = Math.min(Math.max(wanted, base) + 1, maxNow(base));
            lastBurst = System.nanoTime();
            schedule = !retireScheduled && wanted > base;
            retireScheduled |= schedule;
        } finally {
            lock.unlock();
        }
        if (schedule) {
            LibraryTimer.get().schedule(this::retire, IDLE_RETIRE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Lets the standbys above {@code multiproc.standby} go if no fork has found none ready for {@link #IDLE_RETIRE}
     * (the newest: the others have warmed up longer); else checks again when that time will have passed.
     */
    private void retire() {
        List<Standby> extra = new ArrayList<>();
        long wait;
        lock.lock();
        try {
            wait = IDLE_RETIRE.toNanos() - (System.nanoTime() - lastBurst);
            if (wait <= 0) {
                wanted = wantedNow();
                while (waiting.size() > target()) {
                    extra.add(waiting.pollLast());
                }
            }
            retireScheduled = wait > 0 && !exiting;
        } finally {
            lock.unlock();
        }
        extra.forEach(this::discard);
        if (wait > 0) {
            LibraryTimer.get().schedule(this::retire, TimeUnit.NANOSECONDS.toMillis(wait) + 1, TimeUnit.MILLISECONDS);
        }
    }

    /** How many standbys to keep now (the lock is held). */
    private int target() {
        int base = wantedNow();
        return base == 0 ? 0 : Math.max(base, Math.min(wanted, maxNow(base)));
    }

    /** {@code multiproc.standbyMax} now, at least {@code base}; {@code base} if it is not a valid count. */
    private static int maxNow(int base) {
        try {
            return Settings.standbyMax(base);
        } catch (IllegalArgumentException e) {
            return base;
        }
    }

    /** How many processors a JVM's start keeps busy: a refill waits until that many are free. */
    static final int START_PROCESSORS = 2;
    /** How often a waiting refill looks again. */
    static final Duration FREE_POLL = Duration.ofMillis(10);
    /**
     * How long a refill waits for free processors at most: then it starts its standbys anyway. A task that has run
     * this long past the {@code 200} ms after which its replacement is due is likely to run on, and the next fork to
     * come later still: a standby started now is ready for it. Measured, a pipe's one-way stream to a child forked
     * right after 40,000 round trips with another: with 1 s here the stream's child started cold, 207,000 messages/s
     * against 222,000 before this wait (JDK 17, medians of 6); with 300 ms, 289,000 against 259,000.
     */
    static final Duration FREE_WAIT_MAX = Duration.ofMillis(300);

    /**
     * {@link #refill()}, at once if none of this JVM's task children is running its task, else once
     * {@value #START_PROCESSORS} processors are free (Linux; {@link RunQueue#free}) or those children are done, looking
     * again every {@link #FREE_POLL}, for {@link #FREE_WAIT_MAX} at most. A JVM's start keeps about two processors
     * busy for a while: started while this JVM's children keep them busy, a standby takes its time from their tasks,
     * whose results then come later by about what the standby saves the next fork. Measured on two processors, two
     * children adding 100,000 times each to their slot of a {@code SharedLongArray}: a standby started during their
     * 15-35 ms took 4-15 ms of processor time inside it. Other work on the machine does not hold a refill back: the
     * standby's start then competes with it as the next fork's own start would, only sooner.
     *
     * @param tasksRunning how many of this JVM's task children are running their task
     */
    void refillWhenFree(IntSupplier tasksRunning) {
        refillWhenFree(tasksRunning, System.nanoTime());
    }

    private void refillWhenFree(IntSupplier tasksRunning, long since) {
        if (tasksRunning.getAsInt() == 0 || RunQueue.free(START_PROCESSORS)
                || System.nanoTime() - since >= FREE_WAIT_MAX.toNanos()) {
            refill();
            return;
        }
        lock.lock();
        try {
            if (refillPending || exiting) {
                return; // another waits already, and refills for both
            }
            refillPending = true;
        } finally {
            lock.unlock();
        }
        LibraryTimer.get().schedule(() -> {
            lock.lock();
            try {
                refillPending = false;
            } finally {
                lock.unlock();
            }
            refillWhenFree(tasksRunning, since);
        }, FREE_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts standby children, on a thread of their own, until there are as many as wanted now. */
    void refill() {
        int missing;
        lock.lock();
        try {
            missing = exiting ? 0 : target() - waiting.size() - starting;
            if (missing <= 0) {
                return;
            }
            starting += missing;
        } finally {
            lock.unlock();
        }
        int count = missing;
        Thread t = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                Standby standby = null;
                try {
                    standby = start();
                } catch (RuntimeException e) {
                    LOG.debug("cannot start a standby child: {}", e.toString());
                }
                lock.lock();
                try {
                    if (standby != null) {
                        if (exiting || waiting.size() >= target()) {
                            // this JVM exits (the exit hook waits for this), or standbys were turned down while
                            // this one started: a fork in between could not discard it
                            discard(standby);
                        } else {
                            waiting.addLast(standby);
                        }
                    }
                    starting--;
                    added.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }, "multiproc-standby");
        t.setDaemon(true);
        t.start();
    }

    /** {@code multiproc.standby} now; 0 if it is not a valid count (the next fork reports that). */
    private static int wantedNow() {
        try {
            return Settings.standbyCount();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    private Standby start() {
        String transport = Settings.transport();
        ChannelListener listener = children.openListener(children.nextSerial(), "a standby child");
        TaskChannel channel = new TaskChannel(listener);
        List<String> command;
        Process process;
        try {
            ProcessBuilder pb = children.childJvm(listener, List.of(), Map.of(), STANDBY_SPEC, true,
                    io.github.multiproc.internal.ipc.SharedObject.usedInThisJvm());
            command = pb.command();
            process = Children.launch(pb, STANDBY_SPEC, true);
        } catch (RuntimeException e) {
            channel.close(); // the socket and the key file with it
            throw Children.launchFailure(STANDBY_SPEC, e);
        }
        Standby standby = new Standby(process, ProcessStart.of(process.toHandle()), channel, key(command, transport));
        children.record(process.toHandle(), standby.start, STANDBY_SPEC, String.join(" ", command));
        channel.startStandby();
        OutputPump.forward(process.getErrorStream(), children.parentStderr(), OutputPump.nativeCharset(),
                standby.tail, standby.stderrMarker(), standby::marksMet, "multiproc-standby-stderr")
                .thenRun(standby::pumpEnded);
        ExitWaiters.onExit(process, () -> exited(standby));
        return standby;
    }

    /** Ends every waiting standby (turned off, or this JVM exits). */
    void discardAll() {
        List<Standby> idle;
        lock.lock();
        try {
            if (waiting.isEmpty()) {
                return;
            }
            idle = new ArrayList<>(waiting);
            waiting.clear();
        } finally {
            lock.unlock();
        }
        idle.forEach(this::discard);
    }

    /** Ends a standby that will not be used, and forgets it at once: this JVM may be about to exit. */
    private void discard(Standby standby) {
        if (standby.discard()) {
            children.records().remove(standby.process.toHandle(), standby.start);
        }
    }

    /** A standby that ended without being taken leaves nothing behind. */
    private void exited(Standby standby) {
        lock.lock();
        try {
            waiting.remove(standby);
        } finally {
            lock.unlock();
        }
        if (standby.exitedUntaken()) {
            standby.channel.close();
            children.records().remove(standby.process.toHandle(), standby.start);
        }
    }

    /**
     * This JVM exits: from now on a standby that finishes launching is discarded, not kept; waits a little for one
     * being launched right now, so that it is ended too, not left to find its parent gone.
     */
    void beginExit() {
        lock.lock();
        try {
            exiting = true;
            long nanos = LAUNCH_WAIT.toNanos() * 20;
            while (starting > 0 && nanos > 0) {
                nanos = added.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        discardAll();
    }

    /** Whether this JVM's exit hook has begun: no new child should start. */
    boolean exiting() {
        lock.lock();
        try {
            return exiting;
        } finally {
            lock.unlock();
        }
    }
}
