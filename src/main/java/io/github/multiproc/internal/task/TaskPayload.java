package io.github.multiproc.internal.task;

import io.github.multiproc.NotSerializableTaskException;
import io.github.multiproc.internal.wire.FrameIO;
import io.github.multiproc.internal.wire.PackedList;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serializes a task on the submitting thread, so that a task that cannot travel is refused before any process
 * starts, with a message that says which object is to blame and how the task reaches it.
 */
public final class TaskPayload {
    private static final int MAX_DEPTH = 64;

    private TaskPayload() {
    }

    /**
     * Serializes the task, wrapped for the child: in {@link LambdaForm} where it has one, else on a serialization
     * stream of its own. A lambda that captures nothing always serializes to the same bytes, so those are made once
     * per lambda class.
     */
    public static byte[] serialize(Object task) {
        boolean stateless = capturesNothing(task);
        if (stateless) {
            byte[] known = STATELESS.get(task.getClass()).get();
            if (known != null) {
                return known;
            }
        }
        try {
            TaskCall call = Calls.of(task);
            byte[] bytes = LambdaForm.encode(call);
            if (bytes == null) {
                bytes = FrameIO.serializeStandalone(call);
            }
            if (stateless) {
                STATELESS.get(task.getClass()).set(bytes);
            }
            return bytes;
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            throw notSerializable("task", task, e);
        }
    }

    /** The payload of each stateless lambda class, once made (never changed afterwards: it is only ever read). */
    private static final ClassValue<AtomicReference<byte[]>> STATELESS = perClass();

    /** A lambda object without captured values: every instance of its class is the same task. */
    static boolean capturesNothing(Object task) {
        return task != null && STATELESS_LAMBDA.get(task.getClass());
    }

    /** Per class, worked out once: reflection copies the fields on every call, and pools ask for every task. */
    private static final ClassValue<Boolean> STATELESS_LAMBDA = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (!type.isSynthetic() || !type.getName().contains("$$Lambda")) {
                return false;
            }
            for (Field f : type.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    return false;
                }
            }
            return true;
        }
    };

    /**
     * Builds the exception for {@code what} (e.g. "task", "argument") that failed to serialize with {@code e}.
     */
    public static NotSerializableTaskException notSerializable(String what, Object root, Throwable e) {
        String rootName = describe(root);
        String path = e instanceof NotSerializableException ? findPath(root) : null;
        String message;
        if (path != null) {
            message = what + " " + rootName + " cannot be serialized: " + path;
        } else {
            message = what + " " + rootName + " cannot be serialized: " + e;
        }
        return new NotSerializableTaskException(message, e);
    }

    /** Returns "A -> captured arg 0 (B) -> field 'x' (C) is not serializable", or null when no culprit is found. */
    static String findPath(Object root) {
        StringBuilder path = new StringBuilder();
        return find(root, path, new IdentityHashMap<>(), 0) ? path.toString() : null;
    }

    private static boolean find(Object obj, StringBuilder path, IdentityHashMap<Object, Boolean> seen, int depth) {
        if (obj instanceof PackedList) {
            obj = PackedList.unpack(obj); // its items are what it writes
        }
        if (obj == null || depth > MAX_DEPTH || seen.put(obj, Boolean.TRUE) != null) {
            return false;
        }
        Class<?> type = obj.getClass();
        if (!(obj instanceof Serializable)) {
            path.append(path.length() == 0 ? "" : " ").append("(").append(type.getName())
                    .append(") is not serializable");
            return true;
        }
        int mark = path.length();
        SerializedLambda lambda = serializedLambda(obj);
        if (lambda != null) {
            for (int i = 0; i < lambda.getCapturedArgCount(); i++) {
                path.setLength(mark);
                path.append(mark == 0 ? "" : " -> ").append("captured arg ").append(i);
                if (find(lambda.getCapturedArg(i), path, seen, depth + 1)) {
                    return true;
                }
            }
            path.setLength(mark);
            return false;
        }
        if (type.isArray()) {
            if (type.getComponentType().isPrimitive()) {
                return false;
            }
            for (int i = 0; i < Array.getLength(obj); i++) {
                path.setLength(mark);
                path.append("[").append(i).append("]");
                if (find(Array.get(obj, i), path, seen, depth + 1)) {
                    return true;
                }
            }
            path.setLength(mark);
            return false;
        }
        if (obj instanceof Collection) {
            int i = 0;
            for (Object element : (Collection<?>) obj) {
                path.setLength(mark);
                path.append("[").append(i++).append("]");
                if (find(element, path, seen, depth + 1)) {
                    return true;
                }
            }
            path.setLength(mark);
            return false;
        }
        if (obj instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) obj).entrySet()) {
                path.setLength(mark);
                path.append(" -> key ");
                if (find(e.getKey(), path, seen, depth + 1)) {
                    return true;
                }
                path.setLength(mark);
                path.append("[").append(e.getKey()).append("]");
                if (find(e.getValue(), path, seen, depth + 1)) {
                    return true;
                }
            }
            path.setLength(mark);
            return false;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                int mods = f.getModifiers();
                if (Modifier.isStatic(mods) || Modifier.isTransient(mods) || f.getType().isPrimitive()) {
                    continue;
                }
                Object value;
                try {
                    f.setAccessible(true);
                    value = f.get(obj);
                } catch (RuntimeException | IllegalAccessException inaccessible) {
                    continue; // a module that does not open the class to us: look no deeper there
                }
                path.setLength(mark);
                path.append(mark == 0 ? "" : " -> ").append("field '").append(f.getName()).append("'");
                if (find(value, path, seen, depth + 1)) {
                    return true;
                }
            }
        }
        path.setLength(mark);
        return false;
    }

    static SerializedLambda serializedLambda(Object obj) {
        Class<?> type = obj.getClass();
        if (!type.isSynthetic() || !type.getName().contains("$$Lambda")) {
            return null;
        }
        try {
            Method writeReplace = type.getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            Object replaced = writeReplace.invoke(obj);
            return replaced instanceof SerializedLambda ? (SerializedLambda) replaced : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Names a task: its class, or for a lambda the class and method that wrote it; the same for a whole class. */
    public static String describe(Object task) {
        if (task == null) {
            return "null";
        }
        if (task instanceof io.github.multiproc.internal.task.TaskCall) {
            return describeUncached(task);
        }
        AtomicReference<String> known = DESCRIPTIONS.get(task.getClass());
        String d = known.get();
        if (d == null) {
            d = describeUncached(task);
            known.set(d);
        }
        return d;
    }

    private static final ClassValue<AtomicReference<String>> DESCRIPTIONS = perClass();

    /** A slot per class, filled by the first caller (from an instance, which a ClassValue's computation lacks). */
    private static <V> ClassValue<AtomicReference<V>> perClass() {
        return new ClassValue<>() {
            @Override
            protected AtomicReference<V> computeValue(Class<?> type) {
                return new AtomicReference<>();
            }
        };
    }

    private static String describeUncached(Object task) {
        if (task instanceof io.github.multiproc.internal.task.TaskCall) {
            Object inner = unwrap(task);
            if (inner != task) {
                return describe(inner);
            }
        }
        SerializedLambda lambda = serializedLambda(task);
        if (lambda != null) {
            return "lambda in " + lambda.getCapturingClass().replace('/', '.') + "." + lambda.getImplMethodName();
        }
        return task == null ? "null" : task.getClass().getName();
    }

    /** The user's object inside one of the {@link Calls} adapters (their field {@code task} or {@code fn}). */
    private static Object unwrap(Object call) {
        for (String name : new String[] {"task", "fn"}) {
            try {
                Field f = call.getClass().getDeclaredField(name);
                f.setAccessible(true);
                return f.get(call);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not this one
            }
        }
        return call;
    }

    /** Serializes {@code call} into nothing, on this thread, to refuse it now if it cannot travel. */
    public static void check(Object call, Object userObject, String what) {
        NullOutput.Probe probe = PROBE.get();
        try {
            probe.write(call);
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            PROBE.remove(); // its stream is broken now
            throw notSerializable(what, userObject, e);
        }
    }

    private static final ThreadLocal<NullOutput.Probe> PROBE = ThreadLocal.withInitial(NullOutput.Probe::new);

    /** Discards what is written: serialization as a test, not a transport. */
    static final class NullOutput extends java.io.OutputStream {
        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }

        /** A stream per check, sharing this thread's table of class descriptors, so that it keeps nothing alive. */
        static final class Probe {
            private final java.util.Map<String, Integer> descriptors = new java.util.HashMap<>();

            void write(Object o) throws IOException {
                new io.github.multiproc.internal.wire.CompactObjectOutput(new NullOutput(), descriptors).writeObject(o);
            }
        }
    }
}
