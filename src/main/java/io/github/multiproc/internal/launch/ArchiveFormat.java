package io.github.multiproc.internal.launch;

import java.nio.file.Path;

/**
 * The two kinds of file a child JVM can start from, each named by its own JVM option: the class-data sharing
 * archive of JDK 13 and later, and the AOT cache of JDK 24 and later (which also holds classes linked ahead of time
 * and, from JDK 25, method profiles).
 */
public enum ArchiveFormat {
    /** A dynamic AppCDS archive, made with {@code -XX:ArchiveClassesAtExit}: {@code -XX:SharedArchiveFile=}. */
    DYNAMIC_ARCHIVE("-XX:SharedArchiveFile="),
    /** An AOT cache (JEP 483), made with {@code -XX:AOTCacheOutput} (JEP 514): {@code -XX:AOTCache=}. */
    AOT_CACHE("-XX:AOTCache=");

    private final String optionPrefix;

    ArchiveFormat(String optionPrefix) {
        this.optionPrefix = optionPrefix;
    }

    /**
     * Returns the option that starts a JVM from {@code file}.
     *
     * @param file the archive or cache
     * @return the option
     */
    public String option(Path file) {
        return optionPrefix + file;
    }

    /**
     * Returns whether {@code option} names a file to start from, in any format.
     *
     * @param option a JVM option
     * @return whether it is one of the options {@link #option} returns
     */
    static boolean isArchiveOption(String option) {
        for (ArchiveFormat format : values()) {
            if (option.startsWith(format.optionPrefix)) {
                return true;
            }
        }
        return false;
    }
}
