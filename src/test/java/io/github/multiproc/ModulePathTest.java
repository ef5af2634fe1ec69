package io.github.multiproc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiproc.internal.launch.LaunchCommand;
import io.github.multiproc.testing.ClassLocation;
import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The library as a named module: its exports, and a modular application whose lambdas run in task children. */
@Timeout(120)
final class ModulePathTest {

    @Test
    void moduleDescriptor_exportsOnlyThePublicPackages() throws Exception {
        ModuleReference ref = ModuleFinder.of(ClassLocation.of(Fork.class)).find("io.github.multiproc").orElseThrow();
        ModuleDescriptor descriptor = ref.descriptor();
        Set<String> exports = descriptor.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertThat(exports).containsExactlyInAnyOrder("io.github.multiproc", "io.github.multiproc.cluster");
        assertThat(descriptor.opens()).isEmpty();
        assertThat(descriptor.requires().stream().map(ModuleDescriptor.Requires::name))
                .containsExactlyInAnyOrder("java.base", "org.slf4j", "com.hazelcast.core");
        assertThat(descriptor.requires().stream().filter(r -> r.name().equals("com.hazelcast.core"))
                .flatMap(r -> r.modifiers().stream())).containsExactly(ModuleDescriptor.Requires.Modifier.STATIC);
    }

    @Test
    void modularApplication_forksLambdaFromItsOwnModule(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/demo.app/demo");
        Files.createDirectories(src);
        Files.writeString(dir.resolve("src/demo.app/module-info.java"),
                "module demo.app { requires io.github.multiproc; }\n");
        Files.writeString(src.resolve("Main.java"), String.join("\n",
                "package demo;",
                "import io.github.multiproc.Fork;",
                "public class Main {",
                "    public static void main(String[] args) throws Exception {",
                "        String where = Fork.call(() -> Main.class.getModule().getName() + \" child=\" + Fork.isChild()",
                "                + \" ppid=\" + Fork.ppid().getAsLong()).result();",
                "        System.out.println(\"RESULT \" + where + \" parent=\" + Fork.pid());",
                "    }",
                "}", ""));
        String modulePath = ClassLocation.of(Fork.class) + File.pathSeparator
                + ClassLocation.of(org.slf4j.Logger.class);
        Path out = dir.resolve("out/demo.app");
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        int rc = javac.run(System.out, System.err, "--module-path", modulePath, "-d", out.toString(),
                dir.resolve("src/demo.app/module-info.java").toString(), src.resolve("Main.java").toString());
        assertThat(rc).isZero();

        Process app = new ProcessBuilder(LaunchCommand.javaExecutable().toString(),
                "-p", modulePath + File.pathSeparator + dir.resolve("out"), "-m", "demo.app/demo.Main")
                .redirectErrorStream(true).start();
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(app.exitValue()).as(output).isZero();
        List<String> result = output.lines().filter(l -> l.startsWith("RESULT ")).collect(Collectors.toList());
        assertThat(result).as(output).hasSize(1);
        assertThat(result.get(0)).matches("RESULT demo.app child=true ppid=(\\d+) parent=\\1");
    }
}
