package io.github.multiproc.testing;

/** Runs test code with a system property of this JVM set, then puts the property back as it was. */
public final class SystemProperties {
    private SystemProperties() {
    }

    /** What runs with the property set. */
    @FunctionalInterface
    public interface Body<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code body} with {@code key} set to {@code value}; afterwards the property is as it was (cleared if it
     * was not set).
     */
    public static <T> T with(String key, String value, Body<T> body) throws Exception {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return body.run();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }
}
