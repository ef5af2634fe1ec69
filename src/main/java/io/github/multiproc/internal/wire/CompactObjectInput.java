package io.github.multiproc.internal.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.StreamCorruptedException;
import java.util.List;
import java.util.Map;

/**
 * Reads one message written by {@link CompactObjectOutput}, with the connection's tables of the class descriptors
 * seen so far and of the classes they resolved to.
 */
public final class CompactObjectInput extends ObjectInputStream {
    private final List<ObjectStreamClass> descriptors;
    private final Map<String, Class<?>> classes;

    /**
     * Creates the stream and reads its header.
     *
     * @param in where to read
     * @param descriptors the connection's descriptors, number {@code n} at index {@code n - 1}
     * @param classes the connection's resolved classes by name
     * @throws IOException if the header cannot be read
     */
    public CompactObjectInput(InputStream in, List<ObjectStreamClass> descriptors, Map<String, Class<?>> classes)
            throws IOException {
        super(in);
        this.descriptors = descriptors;
        this.classes = classes;
    }

    @Override
    protected ObjectStreamClass readClassDescriptor() throws IOException, ClassNotFoundException {
        int id = readInt();
        if (id > 0) {
            if (id > descriptors.size()) {
                throw new StreamCorruptedException("unknown class descriptor " + id);
            }
            return descriptors.get(id - 1);
        }
        ObjectStreamClass desc = super.readClassDescriptor();
        if (-id != descriptors.size() + 1) {
            throw new StreamCorruptedException("class descriptor " + -id + " out of order");
        }
        descriptors.add(desc);
        return desc;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
        Class<?> known = classes.get(desc.getName());
        if (known != null) {
            return known;
        }
        Class<?> resolved = super.resolveClass(desc);
        classes.put(desc.getName(), resolved);
        return resolved;
    }
}
