package io.github.multiproc.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads which classes a compiled class refers to, from its constant pool: the classes it names, and every class in a
 * field type, method descriptor or generic signature.
 */
public final class ClassFiles {
    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([\\w/$]+)[;<]");

    private ClassFiles() {
    }

    /**
     * Returns, for each class file under {@code root} in {@code packagePrefix} (and its subpackages), the classes it
     * refers to.
     *
     * @param root a class path directory
     * @param packagePrefix such as {@code io.github.multiproc}
     * @return dotted class names (nested classes with {@code $}) to the dotted names they refer to, itself excluded
     * @throws IOException if a class file cannot be read
     */
    public static Map<String, Set<String>> references(Path root, String packagePrefix) throws IOException {
        Map<String, Set<String>> all = new TreeMap<>();
        Path dir = root.resolve(packagePrefix.replace('.', '/'));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = root.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                name = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                if (name.endsWith("module-info")) {
                    continue;
                }
                Set<String> refs;
                try (InputStream in = Files.newInputStream(f)) {
                    refs = read(in);
                }
                refs.remove(name);
                all.put(name, refs);
            }
        }
        return all;
    }

    /** The classes named in one class file's constant pool. */
    static Set<String> read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classEntries = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1:
                    utf8[i] = in.readUTF();
                    break;
                case 7:
                    classEntries.add(in.readUnsignedShort());
                    break;
                case 8: case 16: case 19: case 20:
                    in.readUnsignedShort();
                    break;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
                    in.readInt();
                    break;
                case 5: case 6:
                    in.readLong();
                    i++; // takes two entries
                    break;
                case 15:
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                    break;
                default:
                    throw new IOException("unknown constant pool tag " + tag);
            }
        }
        Set<String> refs = new TreeSet<>();
        for (int index : classEntries) {
            String name = utf8[index];
            if (name.startsWith("[")) {
                addDescriptorClasses(name, refs);
            } else {
                refs.add(name.replace('/', '.'));
            }
        }
        for (String s : utf8) {
            if (s != null && s.indexOf('/') > 0 && (s.startsWith("(") || s.startsWith("L") || s.startsWith("<")
                    || s.startsWith("["))) {
                addDescriptorClasses(s, refs);
            }
        }
        return refs;
    }

    private static void addDescriptorClasses(String descriptor, Set<String> into) {
        Matcher m = DESCRIPTOR_CLASS.matcher(descriptor);
        while (m.find()) {
            into.add(m.group(1).replace('/', '.'));
        }
    }
}
