package io.github.multiproc.tour;

import io.github.multiproc.ChildProcess;
import io.github.multiproc.ExitStatus;
import io.github.multiproc.Fork;
import io.github.multiproc.ParentExit;
import io.github.multiproc.ProcessPool;
import io.github.multiproc.SerializableRunnable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The tour: every example of the tutorial this library ports (Python's os.fork, os.wait, orphans and zombies,
 * multiprocessing.Process, subclassing Process, Pool with apply_async and apply, sync and async), in Java, in the
 * tutorial's order, printing what the Python printed.
 * Run it with {@code mvn -q test-compile exec:exec}.
 */
public final class Tour {
    private Tour() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        forkAndWait();
        orphansAndZombies();
        processWithTarget();
        processSubclass();
        long async = poolApplyAsync();
        long sync = poolApply();
        syncVersusAsync(async, sync);
        System.out.printf("%nTour finished in %.1f s; children left running: %d%n",
                (System.nanoTime() - start) / 1e9, Fork.activeChildren().size());
    }

    static void section(String title, String... lines) {
        System.out.println();
        System.out.println("=== " + title + " ===");
        for (String line : lines) {
            System.out.println("  " + line);
        }
        System.out.println();
    }

    /** os.fork() + os.wait(): the child prints 10 lines and raises; the parent prints 5 and waits. */
    static void forkAndWait() throws InterruptedException {
        section("1. os.fork() and os.wait()  ->  Fork.run(...) and Fork.waitAny()",
                "Java cannot fork: the child is a fresh JVM that runs the lambda. Its exception ends it with",
                "exit code 1, which os.wait() reports as status 256 (1 << 8).");
        long parentPid = Fork.pid();
        Fork.run(() -> {
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
        ChildProcess<?> child = Fork.waitAny(); // blocks until the child has ended, like os.wait()
        System.out.println("child ended, pid " + child.pid() + ", status " + child.exitStatus().orElseThrow()
                .waitStatus());
    }

    /** Orphans: a child outlives its parent. Zombies: a child ended but never reaped. */
    static void orphansAndZombies() throws Exception {
        section("2. Orphan and zombie processes",
                "An orphan is a child whose parent has ended. Here a child JVM starts a grandchild with",
                "ParentExit.DETACH and exits; Fork.orphans() finds the grandchild from its record, and",
                "Fork.reapOrphans() ends it.");
        long grandchild = Fork.call(() -> Fork.command("sleep", "30").onParentExit(ParentExit.DETACH).start().pid())
                .result();
        System.out.println("the intermediate parent has exited; its child " + grandchild + " is still alive: "
                + ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false));
        List<ProcessHandle> orphans = Fork.orphans();
        System.out.println("Fork.orphans() lists it: " + orphans.stream().anyMatch(p -> p.pid() == grandchild));
        System.out.println("Fork.reapOrphans() ended " + Fork.reapOrphans() + " orphan(s); alive now: "
                + ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false));

        System.out.println();
        System.out.println("  A zombie is a child that ended but was never waited for. Java's own process reaper");
        System.out.println("  waits for every child the JDK starts, so none is left even if nobody calls join():");
        List<ChildProcess<Void>> children = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            children.add(Fork.exec("true"));
        }
        for (ChildProcess<Void> c : children) {
            c.onExit().join(); // only so that we look after they all ended; nobody has to join() to reap them
        }
        long zombies = children.stream().filter(c -> isZombie(c.pid())).count();
        System.out.println("started 50 children without joining them; zombies among them: " + zombies);
        for (ChildProcess<Void> c : children) {
            c.join(); // marks them waited for, so that Fork.waitAny() would not return them later
        }
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (Exception e) {
            return false; // gone entirely, or not Linux
        }
    }

    /** multiprocessing.Process(target=..., args=..., kwargs=..., name='test'), terminated after 0.1 s. */
    static void processWithTarget() throws Exception {
        section("3. Process(target=process_fun, args=(1, 2), kwargs={'A': 'a'}, name='test')",
                "Fork.task(...) takes the target as a lambda; args and kwargs are what it captures.");
        List<Integer> arguments = List.of(1, 2);
        Map<String, String> keywords = Map.of("A", "a");
        CountDownLatch started = new CountDownLatch(1);
        ChildProcess<Void> p = Fork.task(() -> processFun(arguments, keywords)).name("test")
                .onOutputLine(line -> {
                    System.out.println(line);
                    started.countDown();
                })
                .start();
        System.out.println("parent PID: " + Fork.pid());
        System.out.println(p.name());
        started.await(); // a JVM takes about 0.1 s to start, where fork() takes none: wait for its first line
        Thread.sleep(100);
        p.terminate(); // ends the child now, finished or not
        ExitStatus status = p.join();
        System.out.println(p.isAlive() + "   (" + status + ")");
        System.out.println("parent finished");
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
                System.out.println(Map.of("args", args, "kwargs", kwargs));
                System.out.println("child pid: " + Fork.pid());
                Thread.sleep(100);
            }
        }
    }

    /** The task of the Pool examples: test(num). */
    static void test(int num) throws InterruptedException {
        System.out.println("start task " + num);
        Thread.sleep(100);
        System.out.println("end task " + num);
    }

    /** Pool(4) with apply_async: tasks are queued at once and run four at a time. */
    static long poolApplyAsync() throws Exception {
        section("5. Pool(4) and pool.apply_async(test, (i,))  ->  ProcessPool.create(4) and applyAsync",
                "Non-blocking: ten tasks are queued at once; the four worker JVMs run four at a time.",
                "shutdown() is Python's pool.close(); join() waits for the queued tasks and the workers.");
        try (ProcessPool pool = ProcessPool.create(4)) {
            System.out.println("4 warm workers: " + pool.workerPids());
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                int num = i;
                pool.applyAsync(() -> test(num));
            }
            pool.shutdown();
            pool.join();
            return System.nanoTime() - start;
        }
    }

    /** Pool(4) with apply: each call waits, so the tasks run one after another. */
    static long poolApply() throws Exception {
        section("6. pool.apply(test, (i,))  ->  ProcessPool.apply",
                "Blocking: each call waits for its task, so the ten run strictly one after another.");
        try (ProcessPool pool = ProcessPool.create(4)) {
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                int num = i;
                pool.apply(() -> test(num));
            }
            return System.nanoTime() - start;
        }
    }

    static void syncVersusAsync(long asyncNanos, long syncNanos) {
        section("7. Synchronous and asynchronous",
                "Asynchronous: tasks have no order among them and run at the same time.",
                "Synchronous: each task must finish before the next one starts.");
        System.out.printf("ten 0.1 s tasks on 4 workers: applyAsync %.2f s, apply %.2f s (%.1fx)%n",
                asyncNanos / 1e9, syncNanos / 1e9, (double) syncNanos / asyncNanos);
    }

    static void processSubclass() throws Exception {
        section("4. class process_fun(Process) with run()  ->  a class implementing SerializableRunnable",
                "Its fields travel to the child with it.");
        CountDownLatch started = new CountDownLatch(1);
        ChildProcess<Void> p = Fork.task(new ProcessFun(List.of(1, 2), Map.of("A", "a")))
                .onOutputLine(line -> {
                    System.out.println(line);
                    started.countDown();
                })
                .start();
        System.out.println("parent PID: " + Fork.pid());
        started.await();
        Thread.sleep(100);
        p.terminate();
        p.join();
        System.out.println(p.isAlive());
        System.out.println("parent finished");
    }
}
