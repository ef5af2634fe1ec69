package io.github.multiproc.internal.ipc;

import io.github.multiproc.internal.os.ProcessStart;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Notices that the creator of a segment this JVM uses has ended: one daemon thread, {@code multiproc-ipc-watch},
 * looks every {@value #PERIOD_MILLIS} ms at the creators of the segments mapped here and marks those whose creator
 * is gone unusable, so that every later or waiting call on them throws. A segment whose handles are all unreachable
 * is forgotten with them.
 *
 * <p>Thread safety: safe for concurrent use.
 */
final class OwnerWatch {
    private static final long PERIOD_MILLIS = 100;
    private static final Map<Segment, Boolean> WATCHED = Collections.synchronizedMap(new WeakHashMap<>());
    private static boolean started;

    private OwnerWatch() {
    }

    static void watch(Segment segment) {
        synchronized (WATCHED) {
            WATCHED.put(segment, Boolean.TRUE);
            if (!started) {
                Thread watch = new Thread(OwnerWatch::run, "multiproc-ipc-watch");
                watch.setDaemon(true);
                watch.start();
                started = true;
            }
        }
    }

    static void unwatch(Segment segment) {
        WATCHED.remove(segment);
    }

    private static void run() {
        while (true) {
            List<Segment> segments;
            synchronized (WATCHED) {
                segments = new ArrayList<>(WATCHED.keySet());
            }
            for (Segment segment : segments) {
                if (ProcessStart.status(segment.creatorPid(), segment.creatorStart()) == ProcessStart.Status.GONE) {
                    segment.creatorGone();
                    WATCHED.remove(segment);
                }
            }
            segments = null;
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
