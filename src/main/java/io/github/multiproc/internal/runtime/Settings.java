package io.github.multiproc.internal.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The system properties the library reads, with their defaults (the README's "Settings" lists them). Read when
 * needed, so a property set before the first child is started takes effect.
 */
public final class Settings {
    /** The most standby children {@code multiproc.standby} may ask for. */
    public static final int MAX_STANDBY = 16;
    /** {@code multiproc.standbyMax} unless set. */
    public static final int DEFAULT_STANDBY_MAX = 2;
    /** The prefix of the library's system properties. */
    public static final String PREFIX = "multiproc.";

    private Settings() {
    }

    /**
     * Returns every system property of this JVM whose name starts with {@code multiproc.}, sorted by name: the
     * library's settings as this JVM runs with them (those it reads and any others of that name), which its child
     * JVMs inherit so that, for one, a child records its own children where this JVM looks for orphans.
     *
     * @return name to value, unmodifiable
     */
    public static Map<String, String> libraryProperties() {
        Map<String, String> properties = new TreeMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                String value = System.getProperty(name);
                if (value != null) { // removed meanwhile
                    properties.put(name, value);
                }
            }
        }
        return Collections.unmodifiableMap(properties);
    }

    /** {@code multiproc.terminateGrace}: how long terminate() waits before SIGKILL. */
    public static Duration terminateGrace() {
        String value = System.getProperty("multiproc.terminateGrace");
        if (value == null || value.isBlank()) {
            return Duration.ofSeconds(2);
        }
        try {
            Duration grace = Duration.parse(value.trim());
            if (grace.isNegative()) {
                throw new IllegalArgumentException("multiproc.terminateGrace must not be negative, was " + value);
            }
            return grace;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "multiproc.terminateGrace must be an ISO-8601 duration such as PT2S, was '" + value + "'", e);
        }
    }

    /** {@code multiproc.stateDir}: where children are recorded. */
    public static Path stateDir() {
        String value = System.getProperty("multiproc.stateDir");
        if (value != null && !value.isBlank()) {
            return Path.of(value).toAbsolutePath();
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "multiproc-" + System.getProperty("user.name"))
                .toAbsolutePath();
    }

    /**
     * {@code multiproc.standby}: how many idle task child JVMs to keep ready for the next fork; 0 turns standby
     * children off.
     */
    public static int standbyCount() {
        return standbyProperty("multiproc.standby", 1);
    }

    /**
     * {@code multiproc.standbyMax}: the most standby children kept while forks come faster than standbys start
     * (default {@value #DEFAULT_STANDBY_MAX}); never fewer than {@code multiproc.standby}.
     *
     * @param base {@link #standbyCount()} now
     * @return the most, at least {@code base}
     * @throws IllegalArgumentException if it is not a whole number from 0 to {@value #MAX_STANDBY}
     */
    public static int standbyMax(int base) {
        return Math.max(base, standbyProperty("multiproc.standbyMax", DEFAULT_STANDBY_MAX));
    }

    /** A count of standby children from 0 to {@link #MAX_STANDBY}, {@code otherwise} if unset. */
    private static int standbyProperty(String name, int otherwise) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        try {
            int count = Integer.parseInt(value.trim());
            if (count >= 0 && count <= MAX_STANDBY) {
                return count;
            }
        } catch (NumberFormatException e) {
            // explained below
        }
        throw new IllegalArgumentException(name + " must be a whole number from 0 to " + MAX_STANDBY + ", was '"
                + value + "'");
    }

    /** What {@code multiproc.cds} asks for. */
    public enum ClassSharing {
        /** The fastest file this JDK makes for child JVMs: an AOT cache on JDK 25 and later, else an archive. */
        AUTO,
        /** The dynamic class-data archive ({@code -XX:ArchiveClassesAtExit}) on every JDK. */
        DYNAMIC,
        /** Neither. */
        OFF
    }

    /**
     * {@code multiproc.cds}: {@code auto} (default) to start child JVMs from the class-data file made for them that
     * starts them fastest on this JDK, {@code dynamic} for the dynamic class-data archive on every JDK, {@code off}
     * for none.
     *
     * @return the setting
     * @throws IllegalArgumentException if it is set to another value
     */
    public static ClassSharing cds() {
        String value = System.getProperty("multiproc.cds");
        if (value == null || value.isBlank()) {
            return ClassSharing.AUTO;
        }
        for (ClassSharing sharing : ClassSharing.values()) {
            if (value.trim().equalsIgnoreCase(sharing.name())) {
                return sharing;
            }
        }
        throw new IllegalArgumentException("multiproc.cds must be auto, dynamic or off, was '" + value + "'");
    }

    /** {@code multiproc.transport}: {@code unix} (default where supported) or {@code tcp} (loopback). */
    public static String transport() {
        return System.getProperty("multiproc.transport", "unix");
    }

    public static boolean isWindows() {
        return System.getProperty("os.name", "").startsWith("Windows");
    }
}
