package io.github.multiproc.internal.cluster;

import io.github.multiproc.internal.task.EncodedCall;
import io.github.multiproc.internal.wire.FrameIO;
import io.github.multiproc.internal.wire.PlainValues;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a batch's tasks and a node's answer to it travel: one byte array each, which Hazelcast sends as it is. Java
 * serialization of an object per task (a list of arrays, a record per result) cost more than the tasks; and the tasks
 * of a batch are often the same lambda, whose bytes go once.
 *
 * <p>Tasks: the distinct encoded tasks (each: reusable flag, length, bytes), then each task's index among them.
 * Answer: the node, whether it is leaving, its time, then per task a tag and: a plain value (the wire's own encoding
 * of null, a boxed primitive or a string), or the length and bytes of the worker's encoded outcome
 * ({@code EncodedCall}) or of the local pool's exception, serialized.
 *
 * <p>Thread safety: stateless.
 */
final class BatchCodec {
    private static final byte OUTCOME = 0;
    private static final byte FAILURE = 1;
    private static final byte PLAIN = 2;

    private BatchCodec() {
    }

    /** The tasks of a batch, as decoded on a node: the distinct ones, and which of them each task is. */
    record Tasks(List<byte[]> distinct, boolean[] reusable, int[] index) {
    }

    /** Encodes the tasks of {@code parts}, a task's bytes that another of them shares (the same array) going once. */
    static byte[] tasks(List<Part> parts) {
        Map<byte[], Integer> seen = new IdentityHashMap<>();
        List<Part> distinct = new ArrayList<>();
        int[] index = new int[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            Integer known = seen.putIfAbsent(p.bytes, distinct.size());
            if (known == null) {
                index[i] = distinct.size();
                distinct.add(p);
            } else {
                index[i] = known;
            }
        }
        int size = 8 + 4 * index.length;
        for (Part p : distinct) {
            size += 5 + p.bytes.length;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(distinct.size());
            for (Part p : distinct) {
                out.writeBoolean(p.reusable);
                out.writeInt(p.bytes.length);
                out.write(p.bytes);
            }
            out.writeInt(index.length);
            for (int i : index) {
                out.writeInt(i);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    /** Decodes what {@code tasks(List)} wrote. */
    static Tasks tasks(byte[] encoded) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
        int count = in.readInt();
        check(count, encoded.length);
        List<byte[]> distinct = new ArrayList<>(count);
        boolean[] reusable = new boolean[count];
        for (int i = 0; i < count; i++) {
            reusable[i] = in.readBoolean();
            int length = in.readInt();
            check(length, encoded.length);
            byte[] task = new byte[length];
            in.readFully(task);
            distinct.add(task);
        }
        int parts = in.readInt();
        check(parts, encoded.length);
        int[] index = new int[parts];
        for (int i = 0; i < parts; i++) {
            index[i] = in.readInt();
            if (index[i] < 0 || index[i] >= count) {
                throw new StreamCorruptedException("task " + i + " names task " + index[i] + " of " + count);
            }
        }
        return new Tasks(distinct, reusable, index);
    }

    /** Encodes a node's answer. */
    static byte[] reply(NodeReply reply) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * reply.parts().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(reply.node());
            out.writeBoolean(reply.leaving());
            out.writeLong(reply.nanos());
            out.writeInt(reply.parts().size());
            for (PartResult r : reply.parts()) {
                if (r.plain()) {
                    out.writeByte(PLAIN);
                    PlainValues.write(out, r.value());
                    continue;
                }
                byte[] body;
                if (r.failure() == null) {
                    out.writeByte(OUTCOME);
                    body = r.outcome();
                } else {
                    out.writeByte(FAILURE);
                    body = failure(r.failure());
                }
                out.writeInt(body.length);
                out.write(body);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The local pool's exception, serialized; if its cause cannot be, a stand-in with its message. */
    private static byte[] failure(RuntimeException f) throws IOException {
        try {
            return FrameIO.serializeStandalone(f);
        } catch (IOException | RuntimeException e) {
            return FrameIO.serializeStandalone(new io.github.multiproc.MultiprocException(String.valueOf(f)));
        }
    }

    /** Decodes what {@code reply(NodeReply)} wrote. */
    static NodeReply reply(byte[] encoded) throws IOException, ClassNotFoundException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
        String node = in.readUTF();
        boolean leaving = in.readBoolean();
        long nanos = in.readLong();
        int count = in.readInt();
        check(count, encoded.length);
        List<PartResult> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte tag = in.readByte();
            if (tag == PLAIN) {
                parts.add(PartResult.answered(PlainValues.read(in)));
                continue;
            }
            int length = in.readInt();
            check(length, encoded.length);
            byte[] body = new byte[length];
            in.readFully(body);
            if (tag == OUTCOME) {
                parts.add(PartResult.answered(body));
            } else if (tag == FAILURE) {
                parts.add(PartResult.failed((RuntimeException) FrameIO.deserializeStandalone(body)));
            } else {
                throw new StreamCorruptedException("bad result tag " + tag);
            }
        }
        return new NodeReply(node, parts, leaving, nanos);
    }

    private static void check(int count, int limit) throws StreamCorruptedException {
        if (count < 0 || count > limit) {
            throw new StreamCorruptedException("bad count " + count + " in " + limit + " bytes");
        }
    }
}
