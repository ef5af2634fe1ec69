package io.github.multiproc.tour;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.ExitStatus;
import io.github.multiproc.Fork;
import io.github.multiproc.ParentExit;
import io.github.multiproc.ProcessPool;
import io.github.multiproc.ProcessQueue;
import io.github.multiproc.SerializableRunnable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The tour: every example of the tutorial this library ports (Python's os.fork, os.wait, orphans and zombies,
 * multiprocessing.Process, subclassing Process, Pool with apply_async and apply, sync and async), in Java, in the
 * tutorial's order, printing what the Python printed; then the classic multiprocessing.Queue example, a producer
 * child and a consumer child.
 * Run it with {@code mvn -q test-compile exec:exec}.
 *
 * <p>The tour states only what it has checked: each section checks its own claims, and the first claim that does not
 * hold ends the tour with exit code 1 and a line {@code TOUR FAILED in section "<title>": <claim> (seen: ...)} on
 * stderr.
 * Every wait has a deadline, so the tour never hangs. {@code TourTest} runs it on every build.
 */
public final class Tour {
    /** The longest any one wait of the tour may take (JVM start included, on a loaded machine). */
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static String currentSection = "start";
    private static int claims;

    private Tour() {
    }

    public static void main(String[] args) {
        try {
            run();
        } catch (ClaimFailed e) {
            fail(e.getMessage(), null);
        } catch (Exception | Error e) {
            fail("unexpected " + e, e);
        }
    }

    private static void fail(String what, Throwable trace) {
        System.out.flush();
        System.err.println();
        System.err.println("TOUR FAILED in section \"" + currentSection + "\": " + what);
        if (trace != null) {
            trace.printStackTrace();
        }
        System.exit(1);
    }

    static void run() throws Exception {
        long start = System.nanoTime();
        useOwnStateDirectory();
        forkAndWait();
        orphansAndZombies();
        processWithTarget();
        processSubclass();
        AsyncRun async = poolApplyAsync();
        long sync = poolApply();
        syncVersusAsync(async, sync);
        producerAndConsumer();
        currentSection = "end";
        List<ChildProcess<?>> left = Fork.activeChildren();
        check(left.isEmpty(), "no child of the tour is left running", left);
        System.out.printf("%nTour finished in %.1f s; children left running: %d; every claim above checked"
                + " (%d checks)%n", (System.nanoTime() - start) / 1e9, left.size(), claims);
    }

    /**
     * Unless {@code multiproc.stateDir} is set, the tour records its children in a state directory of its own, so
     * that its {@code reapOrphans()} can end nothing but what the tour started. Set before the library's first use.
     */
    private static void useOwnStateDirectory() {
        if (System.getProperty("multiproc.stateDir") == null) {
            System.setProperty("multiproc.stateDir", Path.of(System.getProperty("java.io.tmpdir"),
                    "multiproc-tour-" + System.getProperty("user.name")).toString());
        }
    }

    static void section(String title, String... lines) {
        currentSection = title;
        System.out.println();
        System.out.println("=== " + title + " ===");
        for (String line : lines) {
            System.out.println("  " + line);
        }
        System.out.println();
    }

    /** Checks a claim the tour makes; a false one ends the tour (see the class comment). */
    static void check(boolean holds, String claim, Object seen) {
        claims++;
        if (!holds) {
            throw new ClaimFailed(claim + " (seen: " + seen + ")");
        }
    }

    /** A claim of the tour that does not hold. */
    static final class ClaimFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClaimFailed(String message) {
            super(message);
        }
    }

    /** os.fork() + os.wait(): the child prints 10 lines and raises; the parent prints 5 and waits. */
    static void forkAndWait() throws InterruptedException {
        section("1. os.fork() and os.wait()  ->  Fork.run(...) and Fork.waitAny()",
                "Java cannot fork: the child is a fresh JVM that runs the lambda. Its exception ends it with",
                "exit code 1, which os.wait() reports as status 256 (1 << 8).");
        long parentPid = Fork.pid();
        ChildProcess<Void> started = Fork.run(() -> {
            System.out.println("I am the child, PID " + Fork.pid() + ", parent PPID " + Fork.ppid().orElse(-1));
            for (int i = 0; i < 10; i++) {
                System.out.println("I am the child");
                Thread.sleep(100);
            }
            throw new Exception("raised an exception status");
        });
        System.out.println("I am the parent, PID " + parentPid + ", parent PPID " + Fork.ppid().orElse(-1));
        for (int i = 0; i < 5; i++) {
            System.out.println("parent");
            Thread.sleep(100);
        }
        System.out.println("parent \"task\" finished");
        // blocks until the child has ended, like os.wait()
        ChildProcess<?> child = Fork.waitAny(DEADLINE).orElseThrow(
                () -> new ClaimFailed("Fork.waitAny() returns the child once it has ended (none within " + DEADLINE
                        + ")"));
        ExitStatus status = child.exitStatus().orElseThrow();
        System.out.println("child ended, pid " + child.pid() + ", status " + status.waitStatus());
        check(child == started, "Fork.waitAny() returns the child that was started (pid " + started.pid() + ")",
                child);
        check(status.waitStatus() == 256, "the child's exception gives status 256, exit code 1", status);
    }

    /** Orphans: a child outlives its parent. Zombies: a child ended but never reaped. */
    static void orphansAndZombies() throws Exception {
        section("2. Orphan and zombie processes",
                "An orphan is a child whose parent has ended. Here a child JVM starts a grandchild with",
                "ParentExit.DETACH and exits; Fork.orphans() finds the grandchild from its record, and",
                "Fork.reapOrphans() ends it. (The tour keeps its records in a state directory of its own,",
                System.getProperty("multiproc.stateDir") + ", so that reapOrphans() ends only what it started.)");
        // the grandchild's output is discarded: it must not hold its parent's pipes open once that parent is gone
        ChildProcess<Long> intermediate = Fork.call(() -> Fork.command("sleep", "30")
                .onParentExit(ParentExit.DETACH).stdout(ProcessBuilder.Redirect.DISCARD)
                .stderr(ProcessBuilder.Redirect.DISCARD).start().pid());
        long grandchild = intermediate.result();
        // the result comes as soon as the child has sent it, before its JVM has exited: wait for the exit too
        ExitStatus exited = join(intermediate);
        System.out.println("the intermediate parent (pid " + intermediate.pid() + ") has exited: " + exited
                + "; its child " + grandchild + " is still alive: " + alive(grandchild));
        check(alive(grandchild), "the DETACH grandchild outlives its parent", describe(grandchild));

        List<Long> orphans = Fork.orphans().stream().map(ProcessHandle::pid).collect(Collectors.toList());
        System.out.println("Fork.orphans() lists it: " + orphans.contains(grandchild));
        check(orphans.contains(grandchild), "Fork.orphans() lists the grandchild " + grandchild, orphans);

        int ended = Fork.reapOrphans();
        boolean gone = awaitEnded(grandchild);
        System.out.println("Fork.reapOrphans() ended " + ended + " orphan(s); alive now: " + !gone);
        check(ended >= 1 && gone, "Fork.reapOrphans() ends the grandchild",
                ended + " ended; " + describe(grandchild));

        System.out.println();
        System.out.println("  A zombie is a child that ended but was never waited for. Java's own process reaper");
        System.out.println("  waits for every child the JDK starts, so none is left even if nobody calls join():");
        List<ChildProcess<Void>> children = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            children.add(Fork.exec("true"));
        }
        for (ChildProcess<Void> c : children) {
            // only so that we look after they all ended; nobody has to join() to reap them
            c.onExit().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (Files.isDirectory(Path.of("/proc/self"))) {
            List<Long> zombies = children.stream().map(ChildProcess::pid).filter(Tour::isZombie)
                    .collect(Collectors.toList());
            System.out.println("started 50 children without joining them; zombies among them: " + zombies.size());
            check(zombies.isEmpty(), "no zombie is left among 50 children nobody joined", zombies);
        } else {
            System.out.println("started 50 children without joining them; zombies among them: not checked here"
                    + " (no /proc to read process states from)");
        }
        for (ChildProcess<Void> c : children) {
            join(c); // collects them, so that Fork.waitAny() would not return them later
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !isZombie(pid);
    }

    /** Whether a process that is not our child has ended, within {@link #DEADLINE}. */
    private static boolean awaitEnded(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (alive(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10); // polling: the OS tells nobody but its parent when a process ends
        }
        return true;
    }

    private static String describe(long pid) {
        return "pid " + pid + (alive(pid) ? " alive" : " gone")
                + ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).map(c -> " (" + c + ")").orElse("");
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (Exception e) {
            return false; // gone entirely, or not Linux
        }
    }

    /** Joins a child within {@link #DEADLINE}. */
    private static ExitStatus join(ChildProcess<?> child) throws InterruptedException {
        return child.join(DEADLINE).orElseThrow(() -> {
            child.kill();
            return new ClaimFailed(child.name() + " (pid " + child.pid() + ") ends within " + DEADLINE);
        });
    }

    /** multiprocessing.Process(target=..., args=..., kwargs=..., name='test'), terminated after 0.1 s. */
    static void processWithTarget() throws Exception {
        section("3. Process(target=process_fun, args=(1, 2), kwargs={'A': 'a'}, name='test')",
                "Fork.task(...) takes the target as a lambda; args and kwargs are what it captures.");
        List<Integer> arguments = List.of(1, 2);
        Map<String, String> keywords = Map.of("A", "a");
        List<String> lines = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        ChildProcess<Void> p = Fork.task(() -> processFun(arguments, keywords)).name("test")
                .onOutputLine(printAndKeep(lines, started))
                .start();
        System.out.println("parent PID: " + Fork.pid());
        System.out.println(p.name());
        check(p.name().equals("test"), "the child is named 'test'", p.name());
        terminateAfterFirstRound(p, lines, started);
        check(lines.containsAll(List.of("helloworld", "[1, 2]", "{A=a}", "child pid: " + p.pid())),
                "the child prints what it captured and its own pid " + p.pid(), lines);
    }

    static void processFun(List<Integer> args, Map<String, String> kwargs) throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            System.out.println("helloworld");
            System.out.println(args);
            System.out.println(kwargs);
            System.out.println("child pid: " + Fork.pid());
            Thread.sleep(100);
        }
    }

    /** Subclassing Process: a named class with fields, whose run() is the task. */
    static final class ProcessFun implements SerializableRunnable {
        private static final long serialVersionUID = 1L;
        private final List<Integer> args;
        private final Map<String, String> kwargs;

        ProcessFun(List<Integer> args, Map<String, String> kwargs) {
            this.args = args;
            this.kwargs = kwargs;
        }

        @Override
        public void run() throws InterruptedException {
            for (int i = 0; i < 10; i++) {
                System.out.println("helloworld");
                System.out.println("{'args': " + args + ", 'kwargs': " + kwargs + "}");
                System.out.println("child pid: " + Fork.pid());
                Thread.sleep(100);
            }
        }
    }

    static void processSubclass() throws Exception {
        section("4. class process_fun(Process) with run()  ->  a class implementing SerializableRunnable",
                "Its fields travel to the child with it.");
        List<String> lines = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        ChildProcess<Void> p = Fork.task(new ProcessFun(List.of(1, 2), Map.of("A", "a")))
                .onOutputLine(printAndKeep(lines, started))
                .start();
        System.out.println("parent PID: " + Fork.pid());
        terminateAfterFirstRound(p, lines, started);
        check(lines.containsAll(List.of("{'args': [1, 2], 'kwargs': {A=a}}", "child pid: " + p.pid())),
                "the child's fields traveled with it", lines);
    }

    /** Prints each line of the child and keeps it; counts {@code started} down once its first round is out. */
    private static Consumer<String> printAndKeep(List<String> lines, CountDownLatch started) {
        return line -> {
            System.out.println(line);
            lines.add(line);
            if (line.startsWith("child pid: ")) {
                started.countDown();
            }
        };
    }

    /** The tutorial's p.terminate() after time.sleep(0.1), p.join() and p.is_alive(). */
    private static void terminateAfterFirstRound(ChildProcess<Void> p, List<String> lines, CountDownLatch started)
            throws InterruptedException {
        // a JVM takes about 0.1 s to start, where fork() takes none: wait for its first round of lines
        check(started.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS),
                "the child prints its first round within " + DEADLINE, lines);
        Thread.sleep(100); // the tutorial's time.sleep(0.1)
        p.terminate(); // ends the child now, finished or not
        ExitStatus status = join(p);
        System.out.println(p.isAlive() + "   (" + status + ")");
        System.out.println("parent finished");
        check(!p.isAlive() && status.signal().equals(OptionalInt.of(15)),
                "terminate() ends the child by SIGTERM, and is_alive() is then false", status);
    }

    /** The task of the Pool examples: test(num). */
    static void test(int num) throws InterruptedException {
        System.out.println("start task " + num);
        Thread.sleep(100);
        System.out.println("end task " + num);
    }

    /** test(num), returning when it started and ended (wall clock, the same in every process) and where it ran. */
    static long[] timedTest(int num) throws InterruptedException {
        long start = System.currentTimeMillis();
        test(num);
        return new long[] {start, System.currentTimeMillis(), Fork.pid()};
    }

    /** How long the ten applyAsync tasks took, and the most of them that ran at once. */
    record AsyncRun(long nanos, int mostAtOnce) {
    }

    /** Pool(4) with apply_async: tasks are queued at once and run four at a time. */
    static AsyncRun poolApplyAsync() throws Exception {
        section("5. Pool(4) and pool.apply_async(test, (i,))  ->  ProcessPool.create(4) and applyAsync",
                "Non-blocking: ten tasks are queued at once; the four worker JVMs run four at a time.",
                "shutdown() is Python's pool.close(); join() waits for the queued tasks and the workers.");
        try (ProcessPool pool = ProcessPool.create(4)) {
            List<Long> workers = pool.workerPids();
            System.out.println("4 warm workers: " + workers);
            check(workers.size() == 4, "the pool has 4 worker JVMs", workers);
            long start = System.nanoTime();
            List<CompletableFuture<long[]>> runs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int num = i;
                runs.add(pool.applyAsync(() -> timedTest(num)));
            }
            pool.shutdown();
            boolean joined = pool.join(DEADLINE);
            long nanos = System.nanoTime() - start;
            check(joined && runs.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()),
                    "join() returns once the ten queued tasks have run and the workers have exited", pool.stats());
            List<long[]> spans = runs.stream().map(CompletableFuture::join).collect(Collectors.toList());
            Set<Long> ranOn = spans.stream().map(span -> span[2]).collect(Collectors.toSet());
            int most = mostAtOnce(spans);
            System.out.println("the ten tasks ran on " + ranOn.size() + " of the workers, at most " + most
                    + " at a time");
            check(workers.containsAll(ranOn), "every task ran on one of the pool's workers", ranOn);
            check(most >= 2 && most <= 4, "the tasks ran at the same time, never more than 4 at once", most);
            return new AsyncRun(nanos, most);
        }
    }

    /** The most spans ({@code [start, end)}, in milliseconds) that overlap at one instant. */
    private static int mostAtOnce(List<long[]> spans) {
        int most = 0;
        for (long[] span : spans) {
            long at = span[0];
            most = Math.max(most, (int) spans.stream().filter(s -> s[0] <= at && at < s[1]).count());
        }
        return most;
    }

    /** Pool(4) with apply: each call waits, so the tasks run one after another. */
    static long poolApply() throws Exception {
        section("6. pool.apply(test, (i,))  ->  ProcessPool.apply",
                "Blocking: each call waits for its task, so the ten run strictly one after another.");
        try (ProcessPool pool = ProcessPool.create(4)) {
            long start = System.nanoTime();
            List<long[]> spans = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int num = i;
                spans.add(pool.apply(() -> timedTest(num)));
            }
            long nanos = System.nanoTime() - start;
            for (int i = 1; i < spans.size(); i++) {
                check(spans.get(i)[0] >= spans.get(i - 1)[1], "task " + i + " starts after task " + (i - 1)
                        + " has ended", "started at " + spans.get(i)[0] + ", previous ended at " + spans.get(i - 1)[1]);
            }
            return nanos;
        }
    }

    static void syncVersusAsync(AsyncRun async, long syncNanos) {
        section("7. Synchronous and asynchronous",
                "Asynchronous: tasks have no order among them and run at the same time.",
                "Synchronous: each task must finish before the next one starts.");
        System.out.printf("ten 0.1 s tasks on 4 workers: applyAsync %.2f s (up to %d at a time), apply %.2f s"
                + " (one at a time) (%.1fx)%n", async.nanos() / 1e9, async.mostAtOnce(), syncNanos / 1e9,
                (double) syncNanos / async.nanos());
        check(syncNanos >= Duration.ofSeconds(1).toNanos(), "ten 0.1 s tasks one after another take 1 s or more",
                syncNanos / 1e9 + " s");
    }

    /** multiprocessing.Queue: a producer child puts ten items and a sentinel, a consumer child takes them. */
    static void producerAndConsumer() throws Exception {
        section("8. multiprocessing.Queue, a producer and a consumer  ->  ProcessQueue",
                "The producer child puts 0..9, then a sentinel (-1 for Python's None); the consumer child takes until",
                "the sentinel. Both reach the one queue, in shared memory, through the handle their task captured.");
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(i);
        }
        Path file;
        try (ProcessQueue<Integer> queue = ProcessQueue.create()) {
            file = Path.of(queue.toString().substring(queue.toString().indexOf('/')));
            ChildProcess<ArrayList<Integer>> consumer = Fork.call(() -> {
                ArrayList<Integer> taken = new ArrayList<>();
                for (int item = queue.take(); item >= 0; item = queue.take()) {
                    System.out.println("consumer " + Fork.pid() + " took " + item);
                    taken.add(item);
                }
                return taken;
            });
            ChildProcess<Void> producer = Fork.run(() -> {
                for (int i = 0; i < 10; i++) {
                    queue.put(i);
                    System.out.println("producer " + Fork.pid() + " put " + i);
                }
                queue.put(-1);
            });
            List<Integer> taken = consumer.future().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            producer.future().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            producer.join();
            consumer.join();
            System.out.println("the consumer took " + taken);
            check(taken.equals(expected), "the consumer took the producer's ten items, in the order they were put",
                    taken);
            check(producer.pid() != consumer.pid() && producer.pid() != Fork.pid() && consumer.pid() != Fork.pid(),
                    "producer and consumer were two child processes, neither of them this JVM",
                    "producer " + producer.pid() + ", consumer " + consumer.pid());
            check(queue.size() == 0, "the sentinel was the last item: the queue is empty", queue.size());
            check(Files.exists(file), "the queue is a file in shared memory while it is open", file);
        }
        check(!Files.exists(file), "closing the queue (try-with-resources) frees its shared memory", file);
    }
}
