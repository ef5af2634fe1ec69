package io.github.multiproc.internal.wire;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An object stream for one message that writes each class descriptor in full only the first time a connection sees
 * it, with a number, and only the number after that.
 *
 * <p>Every message of a channel is a stream of its own, so an object sent again is sent as it is now, never as a
 * back-reference to what the receiver saw before (a list that grew between two tasks must arrive grown), and a
 * failure inside one message cannot leave the next in a broken state. What a fresh stream would cost on every message
 * is the class descriptors: they are shared here through {@code ids}, the connection's table, which survives from one
 * message to the next. Both ends run the same class path, so the receiver's cached descriptor is the one it would have
 * read. Read with {@link CompactObjectInput}.
 */
public final class CompactObjectOutput extends ObjectOutputStream {
    private final Map<String, Integer> ids;
    private final List<String> added = new ArrayList<>();

    /**
     * Creates the stream and writes its header.
     *
     * @param out where to write
     * @param ids the connection's descriptor table: class name to number, numbered from 1 in the order sent
     * @throws IOException if the header cannot be written
     */
    public CompactObjectOutput(OutputStream out, Map<String, Integer> ids) throws IOException {
        super(out);
        this.ids = ids;
    }

    @Override
    protected void writeClassDescriptor(ObjectStreamClass desc) throws IOException {
        Integer id = ids.get(desc.getName());
        if (id != null) {
            writeInt(id);
            return;
        }
        int fresh = ids.size() + 1;
        writeInt(-fresh);
        super.writeClassDescriptor(desc);
        ids.put(desc.getName(), fresh);
        added.add(desc.getName());
    }

    /** Forgets the descriptors this message added: it was not sent, so the receiver never saw them. */
    public void rollback() {
        added.forEach(ids::remove);
        added.clear();
    }
}
