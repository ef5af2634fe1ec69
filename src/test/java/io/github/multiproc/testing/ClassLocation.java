package io.github.multiproc.testing;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Where a class was loaded from: the jar or classes directory on this JVM's class path. */
public final class ClassLocation {
    private ClassLocation() {
    }

    /**
     * Returns the jar or directory {@code type} was loaded from.
     *
     * @param type a class on the class path
     * @return its code source, as a path
     * @throws URISyntaxException if the location is not a file URI
     */
    public static Path of(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
