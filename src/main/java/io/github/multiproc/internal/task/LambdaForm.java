package io.github.multiproc.internal.task;

import io.github.multiproc.SerializableCallable;
import io.github.multiproc.SerializableRunnable;
import io.github.multiproc.internal.wire.PayloadException;
import io.github.multiproc.internal.wire.PlainValues;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * A hand-written encoding for the tasks most forks and pools are given: a serializable lambda or method reference
 * whose captured values are all {@linkplain PlainValues plain} (or that captures nothing), bare or wrapped as a
 * callable or runnable task. The receiver rebuilds it as Java serialization would, through the capturing class's
 * {@code $deserializeLambda$}, but without an {@code ObjectInputStream}: a fresh child JVM's first one costs 30–70 ms
 * (its serialization filter's set-up looks up a logging back-end, which opens every jar on the class path), most of
 * a cold child's time to its task.
 *
 * <p>A payload in this form starts with {@link #MAGIC}, which no Java serialization stream starts with. A lambda whose
 * capturing class is in a named module that does not open its package to this library takes the ordinary path.
 */
public final class LambdaForm {
    /** The first two bytes of a payload in this form ({@code 'M' 'L'}); a serialization stream starts 0xACED. */
    static final int MAGIC = 0x4D4C;
    private static final int BARE = 0;
    private static final int CALLABLE = 1;
    private static final int RUNNABLE = 2;

    private LambdaForm() {
    }

    /**
     * Encodes {@code task} (a lambda, or a {@link Calls.OfCallable} / {@link Calls.OfRunnable} of one), or returns
     * null if it has no such form.
     *
     * @param task the object to send
     * @return the payload, or null
     */
    public static byte[] encode(Object task) {
        int wrapper = BARE;
        Object lambda = task;
        if (task instanceof Calls.OfCallable) {
            wrapper = CALLABLE;
            lambda = ((Calls.OfCallable) task).task();
        } else if (task instanceof Calls.OfRunnable) {
            wrapper = RUNNABLE;
            lambda = ((Calls.OfRunnable) task).task();
        }
        SerializedLambda s = lambda == null ? null : TaskPayload.serializedLambda(lambda);
        if (s == null || !openToUs(lambda.getClass())) {
            return null;
        }
        for (int i = 0; i < s.getCapturedArgCount(); i++) {
            if (!PlainValues.isPlain(s.getCapturedArg(i))) {
                return null;
            }
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeShort(MAGIC);
            out.writeByte(wrapper);
            out.writeUTF(s.getCapturingClass());
            out.writeUTF(s.getFunctionalInterfaceClass());
            out.writeUTF(s.getFunctionalInterfaceMethodName());
            out.writeUTF(s.getFunctionalInterfaceMethodSignature());
            out.writeByte(s.getImplMethodKind());
            out.writeUTF(s.getImplClass());
            out.writeUTF(s.getImplMethodName());
            out.writeUTF(s.getImplMethodSignature());
            out.writeUTF(s.getInstantiatedMethodType());
            out.writeShort(s.getCapturedArgCount());
            for (int i = 0; i < s.getCapturedArgCount(); i++) {
                PlainValues.write(out, s.getCapturedArg(i));
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException | RuntimeException e) {
            return null; // e.g. a name too long for writeUTF: the ordinary path will say what is wrong, if anything
        }
    }

    /** A lambda's class is a nest mate of its capturing class: same module, same package. */
    private static boolean openToUs(Class<?> lambdaClass) {
        Module module = lambdaClass.getModule();
        return !module.isNamed() || module.isOpen(lambdaClass.getPackageName(), LambdaForm.class.getModule());
    }

    /**
     * Returns whether a frame's payload is in this form.
     *
     * @param payload the payload (may be null: a dropped frame)
     * @param length its length
     * @return whether {@link #decode} reads it
     */
    public static boolean isLambdaForm(byte[] payload, int length) {
        return payload != null && length >= 2 && ((payload[0] & 0xFF) << 8 | (payload[1] & 0xFF)) == MAGIC;
    }

    /**
     * Rebuilds what {@link #encode} was given.
     *
     * @param payload the payload
     * @param length its length
     * @return the lambda, or the callable or runnable task around it
     * @throws PayloadException if a class cannot be loaded here or the lambda cannot be made again; the stream is
     *     in step (the payload is self-contained)
     */
    public static Object decode(byte[] payload, int length) throws PayloadException {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload, 2, length - 2));
            int wrapper = in.readUnsignedByte();
            String capturing = in.readUTF().replace('/', '.');
            String[] names = new String[7];
            names[0] = in.readUTF();
            names[1] = in.readUTF();
            names[2] = in.readUTF();
            int implKind = in.readUnsignedByte();
            for (int i = 3; i < names.length; i++) {
                names[i] = in.readUTF();
            }
            Object[] captured = new Object[in.readUnsignedShort()];
            for (int i = 0; i < captured.length; i++) {
                captured[i] = PlainValues.read(in);
            }
            if (in.available() != 0 || wrapper > RUNNABLE) {
                throw new StreamCorruptedException("a garbled lambda payload");
            }
            Class<?> capturingClass = Class.forName(capturing, false, loader());
            SerializedLambda s = new SerializedLambda(capturingClass, names[0], names[1], names[2], implKind,
                    names[3], names[4], names[5], names[6], captured);
            Object lambda = deserialize(capturingClass, s);
            if (wrapper == CALLABLE) {
                return Calls.of((SerializableCallable<?>) lambda);
            }
            return wrapper == RUNNABLE ? Calls.of((SerializableRunnable) lambda) : lambda;
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
            throw new PayloadException(e, true);
        }
    }

    /** What {@code SerializedLambda.readResolve} does, and the same exceptions. */
    private static Object deserialize(Class<?> capturingClass, SerializedLambda s) throws InvalidObjectException {
        try {
            Method m = capturingClass.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
            m.setAccessible(true);
            return m.invoke(null, s);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new RuntimeException("Exception in SerializedLambda.readResolve", cause);
        } catch (ReflectiveOperationException e) {
            InvalidObjectException why = new InvalidObjectException("ReflectiveOperationException during "
                    + "deserialization of a lambda of " + capturingClass.getName());
            why.initCause(e);
            throw why;
        }
    }

    /** The loader Java serialization would use here: the application's. */
    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ClassLoader.getSystemClassLoader();
    }
}
