package io.github.multiproc.internal.launch;

import java.nio.file.Path;

/**
 * How a child JVM starts from the class-data archive (made by {@code internal.cds}): the jar that goes first on its
 * class path, and the archive made for it once it exists.
 *
 * @param classPathEntry the jar to put first on the child's class path (the archive covers only a prefix of it)
 * @param archive the archive file, or null while it is not made yet (a missing archive must never be named: it would
 *     turn all class sharing off)
 */
public record ArchiveUse(String classPathEntry, Path archive) {
}
