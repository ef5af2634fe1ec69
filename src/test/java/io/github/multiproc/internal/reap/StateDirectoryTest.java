package io.github.multiproc.internal.reap;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiproc.MultiprocException;
import io.github.multiproc.testing.FixtureJvm;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory is this user's alone: told by uid, whatever the user's name, and purged of what other users
 * could have written into it while it was not private.
 */
@Timeout(value = 90, unit = SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
final class StateDirectoryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** A uid with no passwd entry, as {@code docker run -u 1234} gives. */
    private static final int OTHER_UID = 1234;

    @TempDir
    Path tmp;

    private final List<FixtureJvm> fixtures = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        fixtures.forEach(FixtureJvm::close);
    }

    /** A uid without a passwd entry makes {@code user.name} "?": the state directory is still this user's. */
    @Test
    void privateDirectory_userNameUnknown_acceptsItsOwnDirectory() throws Exception {
        FixtureJvm reaper = FixtureJvm.start(tmp, List.of("-Duser.name=?"),
                io.github.multiproc.fixtures.OrphanReaper.class);
        fixtures.add(reaper);

        assertThat(reaper.awaitExit(DEADLINE)).as("exit code of %s", reaper).isZero();
        assertThat(reaper.awaitLine(line -> line.startsWith("REAPED "), DEADLINE)).isEqualTo("REAPED 0");
    }

    @Test
    void privateDirectory_ownedByAnotherUid_refusedNamingBothUids() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"));
        chown(dir, OTHER_UID);

        assertThatThrownBy(() -> StateDirectory.privateDirectory(dir)).isInstanceOf(MultiprocException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("belongs to uid " + OTHER_UID)
                .hasMessageContaining("uid " + uidOf(tmp)).hasMessageContaining("multiproc.stateDir");
    }

    /** What another user could have planted while the directory was writable must not run in any child. */
    @Test
    void privateDirectory_wasWritableByOthers_classDataCacheAndOtherUsersFilesDeleted() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Path cds = Files.createDirectories(dir.resolve("cds"));
        Files.writeString(cds.resolve("child-0123456789ab.jsa"), "planted");
        Path theirRunDir = Files.createDirectory(dir.resolve("run-x.x-2-3"));
        Files.writeString(theirRunDir.resolve("args-1.txt"), "-javaagent:/tmp/planted.jar");
        chown(theirRunDir, OTHER_UID);
        Path theirRecord = Files.writeString(dir.resolve("x.x-4-5.child"), "pid=4");
        chown(theirRecord, OTHER_UID);
        Path ownRecord = Files.writeString(dir.resolve("x.x-6-7.child"), "pid=6");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

        StateDirectory.privateDirectory(dir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(cds).as("the class-data cache").doesNotExist();
        assertThat(theirRunDir).as("a run directory of another user").doesNotExist();
        assertThat(theirRecord).as("a record of another user").doesNotExist();
        assertThat(ownRecord).as("a record of this user").exists();
    }

    /** A directory that others could only read had nothing planted in it: nothing is deleted. */
    @Test
    void privateDirectory_wasReadableByOthers_keepsTheClassDataCache() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("state"));
        Path archive = Files.writeString(Files.createDirectories(dir.resolve("cds")).resolve("child-1.jsa"), "ours");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        StateDirectory.privateDirectory(dir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(archive).exists();
    }

    /** Gives {@code file} to {@code uid}, which needs root; the test is skipped otherwise. */
    private static void chown(Path file, int uid) throws Exception {
        Assumptions.assumeTrue(uidOf(file) == 0, "only root can give a file to another user");
        Files.setOwner(file, file.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(Integer.toString(uid)));
        assertThat(uidOf(file)).isEqualTo(uid);
    }

    private static int uidOf(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }
}
