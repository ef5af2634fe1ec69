package io.github.multiproc.internal.reap;

import io.github.multiproc.MultiprocException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's private run directory in the state directory, {@code run-<pid scope>-<pid>-<start>}, for its channel
 * sockets, key files and argument files. A {@code /tmp} cleaner may remove it (and the state directory) while this
 * JVM runs: {@link #existing()} makes it again, so that the next fork or pool worker does not fail.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class RunDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);

    private final Path stateDir;
    private final Path path;

    /**
     * Makes this JVM's run directory in {@code stateDir}.
     *
     * @param stateDir the state directory, prepared by {@link StateDirectory#privateDirectory}
     * @throws MultiprocException if it cannot be made, or this JVM's start cannot be read
     */
    public RunDirectory(Path stateDir) {
        ThisJvm self = ThisJvm.get();
        this.stateDir = stateDir;
        this.path = StateDirectory.privateDirectory(stateDir.resolve(StateDirectory.runDirectoryName(self.scope(),
                self.pid(), self.start())));
    }

    /**
     * Returns the directory as named, whether or not it is there now.
     *
     * @return its path
     */
    public Path path() {
        return path;
    }

    /**
     * Returns the directory, made again (with the state directory) if it is not there: one {@code stat} when it is.
     *
     * @return its path
     * @throws MultiprocException if it cannot be made again
     */
    public Path existing() {
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            synchronized (this) {
                if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    LOG.debug("run directory {} was removed; making it again", path);
                    StateDirectory.privateDirectory(stateDir);
                    StateDirectory.privateDirectory(path);
                }
            }
        }
        return path;
    }
}
