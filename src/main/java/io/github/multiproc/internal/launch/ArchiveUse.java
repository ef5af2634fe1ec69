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
        return archive == null ? List.of() : List.of(format.option(archive));
    }
}
