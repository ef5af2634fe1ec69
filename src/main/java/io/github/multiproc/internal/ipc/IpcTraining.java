package io.github.multiproc.internal.ipc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the JVM that makes the children's class-data archive or AOT cache runs of the shared objects, so that the
 * archive holds what a child's first use of a handle loads: a handle read from a stream, its file mapped, and the
 * operations of each kind once (a pipe's send and receive, a queue's put and take, an event, a lock, an array).
 * Measured, a cold child's first receive of an item already in a pipe (standby off): JDK 17 3-5 ms instead of 6-9,
 * JDK 25 41-52 ms instead of 83-120. What is left on JDK 25 is mostly {@code FileChannel.map} making the reflective
 * constructor of its buffers out of method handles, classes no archive keeps; doing that on the warm-up thread
 * instead took the first receive to 3-7 ms but slowed two fresh children's own-slot race from 10.3M to 6.1M ops/s
 * (medians of 8): not done.
 *
 * <p>Its objects live in this JVM only, their files in the given work directory, and are closed (their files
 * deleted) before it returns; from then on this JVM makes all its segments there.
 *
 * <p>Thread safety: call from one thread.
 */
public final class IpcTraining {
    private IpcTraining() {
    }

    /**
     * Makes one object of each kind, uses a copy of each as a child would (read from a stream, mapped on first use),
     * and closes them.
     *
     * @param workDir where their files go, not {@code /dev/shm}: the training JVM's work directory, which its parent
     *     deletes whatever becomes of this JVM (killed when the parent exits, say)
     * @throws Exception if an object cannot be made or used: the archive is then made without them
     */
    public static void run(Path workDir) throws Exception {
        AccessWarmUp.neverInThisJvm(); // what a child loads, not the warm-up's hot loops
        SegmentFiles.makeIn(workDir);
        SharedLongs longs = new SharedLongs(2, workDir);
        SharedPipe pipe = new SharedPipe(workDir);
        SharedQueue queue = new SharedQueue(16, workDir);
        SharedEvent event = new SharedEvent(workDir);
        SharedLock lock = new SharedLock(workDir);
        try {
            SharedLongs l = copy(longs);
            l.getAndAdd(0, 1);
            l.compareAndSet(1, l.get(1), 2);
            l.set(0, 0);
            SharedPipe p = copy(pipe);
            p.send(0, 1);
            p.receive(1, Duration.ofSeconds(5));
            p.send(1, "answer");
            p.receive(0, Duration.ofSeconds(5));
            SharedQueue q = copy(queue);
            q.put(1);
            q.take();
            SharedEvent e = copy(event);
            e.set();
            e.await(Duration.ofSeconds(5));
            e.clear();
            SharedLock k = copy(lock);
            k.lock(Duration.ofSeconds(5));
            k.unlock();
        } finally {
            pipe.close(0, true);
            pipe.close(1, true);
            pipe.close();
            longs.close();
            queue.close();
            event.close();
            lock.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T copy(T object) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }
}
