package io.github.multiproc.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.Fork;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;

/**
 * Classes that exist only in this JVM: compiled at run time into a directory that no child's class path has, and
 * loaded from there, so that a child cannot read what refers to them.
 */
public final class HiddenClasses {
    private HiddenClasses() {
    }

    /**
     * Compiles {@code source} (the class {@code name}, against the library) under {@code dir} and loads it.
     *
     * @param dir a scratch directory
     * @param name the class's binary name, for example {@code gen.Hidden}
     * @param source its source code
     * @return the class, from a loader of its own (left open for the test JVM's life)
     */
    public static Class<?> compileAndLoad(Path dir, String name, String source) throws Exception {
        Path src = dir.resolve(name.replace('.', '/') + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int rc = ToolProvider.findFirst("javac").orElseThrow().run(System.out, System.err, "-cp",
                ClassLocation.of(Fork.class).toString(), "-d", classes.toString(), src.toString());
        assertThat(rc).as("javac of %s", name).isZero();
        @SuppressWarnings("resource") // the class lives as long as the test JVM
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                HiddenClasses.class.getClassLoader());
        return loader.loadClass(name);
    }
}
