package io.github.multiproc.internal.reap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** For tests: the children recorded in a state directory, as {@code Fork.orphans()} would read them. */
public final class RecordedChildren {
    private RecordedChildren() {
    }

    /**
     * Lists the live records under {@code stateDir}: {@code <journal file> <pid> <start>} for each child a journal
     * lists as started and not reaped, and the name of each record file of an older version.
     *
     * @param stateDir the state directory (searched with its subdirectories)
     * @return the records, sorted
     */
    public static List<String> live(Path stateDir) {
        if (!Files.isDirectory(stateDir)) {
            return List.of();
        }
        List<String> records = new ArrayList<>();
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path f : files.collect(Collectors.toList())) {
                String name = f.getFileName().toString();
                if (name.endsWith(".child")) {
                    records.add(name);
                } else if (name.startsWith(ChildJournal.PREFIX) && name.endsWith(ChildJournal.SUFFIX)) {
                    ChildJournal.read(f).forEach(l -> records.add(name + " " + l.pid() + " " + l.start()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        records.sort(null);
        return records;
    }

    /**
     * Lists the journal files in {@code stateDir}.
     *
     * @param stateDir the state directory
     * @return their names, sorted
     */
    public static List<String> journals(Path stateDir) {
        try (Stream<Path> files = Files.list(stateDir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(ChildJournal.PREFIX) && n.endsWith(ChildJournal.SUFFIX)).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
