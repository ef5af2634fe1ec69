package io.github.multiproc.internal.child;

/**
 * Ends a child that exits with status 0 the way a program whose {@code main} returns ends, rather than through
 * {@code System.exit}: from JDK 21 on, {@code Runtime.exit} first asks the system logger whether to log the call, and
 * a JVM's first such question looks for a logger finder on the whole class path, opening every jar: 80-100 ms of a
 * child's exit with a class path of some fifty jars (JDK 25, measured: the time from a child's answer to its exit went
 * from 117-131 ms to about 10). Its shutdown hooks run alike either way.
 *
 * <p>Before JDK 21 {@code System.exit} asks nothing, and stays ({@link #wanted()}): the returning {@code main} did
 * not end a JDK 17 child sooner (its fork-and-join loop measured 2-3 ms slower, within the noise).
 *
 * <p>A returning {@code main} leaves the JVM running while any other non-daemon thread lives, where
 * {@code System.exit} would have ended it. So this is done only when no such thread lives; and a daemon thread,
 * {@code multiproc-exit}, still calls {@code System.exit(0)} if the JVM has not ended {@value #GRACE_MILLIS} ms later
 * (a daemon thread of the task's that started a non-daemon one meanwhile).
 *
 * <p>Thread safety: called once, by the main thread, at its end.
 */
final class ExitQuietly {
    /** How long the JVM may take to end before {@code System.exit} is called after all. */
    static final long GRACE_MILLIS = 1000;

    private ExitQuietly() {
    }

    /** Whether this JDK's {@code System.exit} scans the class path (JDK 21 on): only then is it avoided. */
    static boolean wanted() {
        return Runtime.version().feature() >= 21;
    }

    /**
     * Arms the fallback and returns true if the main thread may simply return; false if another non-daemon thread
     * lives, and the caller calls {@code System.exit}.
     */
    static boolean begin() {
        if (otherNonDaemonThreadLives()) {
            return false;
        }
        Thread fallback = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    Thread.sleep(GRACE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                System.exit(0);
            }
        }, "multiproc-exit");
        fallback.setDaemon(true);
        fallback.start();
        return true;
    }

    private static boolean otherNonDaemonThreadLives() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int count = root.enumerate(threads, true);
        if (count == threads.length) {
            return true; // more than we can see: do not guess
        }
        for (int i = 0; i < count; i++) {
            Thread t = threads[i];
            if (t != Thread.currentThread() && t.isAlive() && !t.isDaemon()) {
                return true;
            }
        }
        return false;
    }
}
