package io.github.multiproc.internal.task;

/**
 * Stands in for an exception that could not be serialized in the child: it keeps the original's class name,
 * message, stack trace, causes and suppressed exceptions, and prints like the original.
 */
public final class RemoteThrowable extends Exception {
    private static final long serialVersionUID = 1L;

    /** The original exception's class name. */
    private final String className;

    private RemoteThrowable(String className, String message) {
        super(message, null);
        this.className = className;
    }

    /**
     * Copies {@code original} into serializable form.
     *
     * @param original the exception that could not be serialized
     * @return the stand-in
     */
    public static RemoteThrowable of(Throwable original) {
        RemoteThrowable copy = new RemoteThrowable(original.getClass().getName(), original.getMessage());
        copy.setStackTrace(original.getStackTrace());
        if (original.getCause() != null && original.getCause() != original) {
            copy.initCause(of(original.getCause()));
        }
        for (Throwable s : original.getSuppressed()) {
            copy.addSuppressed(of(s));
        }
        return copy;
    }

    /**
     * Returns the class name of the exception this stands in for.
     *
     * @return the original class name
     */
    public String originalClassName() {
        return className;
    }

    @Override
    public String toString() {
        String message = getLocalizedMessage();
        return message != null ? className + ": " + message : className;
    }
}
