package io.github.multiproc.internal.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a child JVM starts from the class-data archive or AOT cache (made by {@code internal.cds}): the jar that goes
 * first on its class path, and the file made for it once it exists.
 *
 * @param classPathEntry the jar to put first on the child's class path (the archive covers only a prefix of it)
 * @param archive the archive file, or null while it is not made yet (a missing archive must never be named: it would
 *     turn all class sharing off)
 * @param format which option names it
 */
public record ArchiveUse(String classPathEntry, Path archive, ArchiveFormat format) {
    public ArchiveUse {
        Objects.requireNonNull(classPathEntry, "classPathEntry");
        Objects.requireNonNull(format, "format");
    }

    /**
     * Returns the JVM options that start a child from the archive: none while it is not made.
     *
     * @return the options
     */
    public List<String> jvmOptions() {
        if (archive == null) {
            return List.of();
        }
        if (format == ArchiveFormat.AOT_CACHE && Runtime.version().feature() == 25) {
            return List.of(format.option(archive), UNLOCK_DIAGNOSTIC, NO_TRAINING_REPLAY);
        }
        return List.of(format.option(archive));
    }

    /**
     * JDK 25's option that stops a JVM started from an AOT cache from compiling, as its classes are initialized, the
     * methods that ran hot while the cache was made. In a C1-only child those compilations (the training's jar
     * reading, class-file generation, ...) fill the compiler's queue as a task starts, and its length in turn delays
     * the compilation of the task's own hot loop. Measured alternating 12 times each, two fresh children racing on a
     * {@code SharedLongArray} ({@code Workloads shared 100000}): own-slot {@code getAndAdd} median 17.9M ops/s against
     * 12.6M, the locked counter 3.68M against 3.25M; fork latency 16.8 ms against 16.4 (10 each); a cold child's
     * start 75 ms against 83 (3 runs of 11). Named for JDK 25 only: a diagnostic option may go in a later JDK, and an
     * unknown option stops a JVM.
     */
    static final String NO_TRAINING_REPLAY = "-XX:-AOTReplayTraining";

    /** What {@link #NO_TRAINING_REPLAY}, a diagnostic option, needs before it. */
    private static final String UNLOCK_DIAGNOSTIC = "-XX:+UnlockDiagnosticVMOptions";

    /** Whether {@code option} is one that {@link #jvmOptions()} gives besides the file's own. */
    static boolean goesWithTheFile(String option) {
        return option.equals(NO_TRAINING_REPLAY) || option.equals(UNLOCK_DIAGNOSTIC);
    }
}
