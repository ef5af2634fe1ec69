package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.testing.ItProperties;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The jars users download, as {@code package} left them in {@code target/}: the module descriptor a module-path user
 * gets, and the Javadoc jar. {@link ModulePathTest} checks the descriptor in {@code target/classes}; this checks what
 * is shipped.
 */
final class PackagedJarIT {

    static Path jar() {
        return Path.of(ItProperties.get("multiproc.it.jar"));
    }

    @Test
    void moduleDescriptor_exportsOnlyTheApiPackages() {
        ModuleDescriptor descriptor = descriptor();
        assertThat(descriptor.name()).isEqualTo("io.github.multiproc");
        assertThat(descriptor.isOpen()).isFalse();
        assertThat(descriptor.isAutomatic()).isFalse();
        assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder("io.github.multiproc", "io.github.multiproc.cluster");
        assertThat(descriptor.exports()).as("exported to everyone").noneMatch(ModuleDescriptor.Exports::isQualified);
        assertThat(descriptor.opens()).isEmpty();
        assertThat(descriptor.packages()).containsExactlyInAnyOrder("io.github.multiproc",
                "io.github.multiproc.cluster", "io.github.multiproc.internal.cluster",
                "io.github.multiproc.internal", "io.github.multiproc.internal.cds",
                "io.github.multiproc.internal.channel", "io.github.multiproc.internal.child",
                "io.github.multiproc.internal.ipc", "io.github.multiproc.internal.launch",
                "io.github.multiproc.internal.os",
                "io.github.multiproc.internal.pool", "io.github.multiproc.internal.reap",
                "io.github.multiproc.internal.runtime", "io.github.multiproc.internal.spawn",
                "io.github.multiproc.internal.task", "io.github.multiproc.internal.wire");
    }

    @Test
    void moduleDescriptor_requiresOnlySlf4jBesideJavaBase_andHazelcastOptionally() {
        ModuleDescriptor descriptor = descriptor();
        Set<String> requires = descriptor.requires().stream().map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toSet());
        assertThat(requires).containsExactlyInAnyOrder("java.base", "org.slf4j", "com.hazelcast.core");
        ModuleDescriptor.Requires hazelcast = descriptor.requires().stream()
                .filter(r -> r.name().equals("com.hazelcast.core")).findFirst().orElseThrow();
        // only cluster users need it, and add it themselves; a local user's module compiles without it
        assertThat(hazelcast.modifiers()).containsExactly(ModuleDescriptor.Requires.Modifier.STATIC);
        ModuleDescriptor.Requires slf4j = descriptor.requires().stream().filter(r -> r.name().equals("org.slf4j"))
                .findFirst().orElseThrow();
        // no SLF4J type is in the API, so users need not read org.slf4j; and logging is not optional
        assertThat(slf4j.modifiers()).isEmpty();
        assertThat(descriptor.uses()).isEmpty();
        assertThat(descriptor.provides()).isEmpty();
    }

    @Test
    void javadocJar_documentsTheApiPackageOnly() throws IOException {
        String name = jar().getFileName().toString();
        Path javadoc = jar().resolveSibling(name.substring(0, name.length() - ".jar".length()) + "-javadoc.jar");
        List<String> entries;
        try (ZipFile zip = new ZipFile(javadoc.toFile())) {
            entries = Collections.list(zip.entries()).stream().map(ZipEntry::getName).collect(Collectors.toList());
        }
        assertThat(entries).anyMatch(e -> e.endsWith("io/github/multiproc/Fork.html"))
                .anyMatch(e -> e.endsWith("io/github/multiproc/ProcessPool.Builder.html"))
                .noneMatch(e -> e.contains("io/github/multiproc/internal"));
    }

    private static ModuleDescriptor descriptor() {
        Set<ModuleReference> modules = ModuleFinder.of(jar()).findAll();
        assertThat(modules).as("modules in " + jar()).hasSize(1);
        return modules.iterator().next().descriptor();
    }
}
