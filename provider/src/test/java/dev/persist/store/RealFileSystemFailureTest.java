package dev.persist.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Disk full and read-only on real file systems: a tiny tmpfs and a read-only bind mount. Needs the right to mount
 * (root in CI and on the development machine); skipped, not failed, where that is not allowed; the injected faults of
 * {@link IoFailureTest} cover the same paths everywhere.
 */
class RealFileSystemFailureTest {
    @TempDir
    Path dir;

    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() throws Exception {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            run("umount", "-l", mounts.get(i).toString());
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private Path mount(String name, String... args) throws Exception {
        Path target = Files.createDirectories(dir.resolve(name));
        String[] command = new String[args.length + 2];
        command[0] = "mount";
        System.arraycopy(args, 0, command, 1, args.length);
        command[command.length - 1] = target.toString();
        boolean ok;
        try {
            ok = run(command);
        } catch (IOException e) {
            ok = false;
        }
        assumeTrue(ok, "cannot mount here (needs root): " + String.join(" ", command));
        mounts.add(target);
        return target;
    }

    @Test
    void diskFullOnARealFileSystem() throws Exception {
        Path fs = mount("small", "-t", "tmpfs", "-o", "size=256k", "tmpfs");
        Path log = fs.resolve("full.log");
        Store store = Store.open(log, StoreOptions.defaults().errorHandler(e -> { }));
        PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
        String value = "x".repeat(1000);
        int acknowledged = 0;
        StoreFailedException failure = null;
        for (int i = 0; i < 1000 && failure == null; i++) {
            try {
                m.set("k" + i, value, Durability.FSYNC);
                acknowledged++;
            } catch (StoreFailedException e) {
                failure = e;
            }
        }
        assertThat(failure).as("a 256 KiB file system fills up").isNotNull();
        assertThat(failure).hasMessageContaining(log.toString());
        assertThat(failure.getCause().toString()).contains("No space left on device");
        assertThat(acknowledged).isBetween(100, 260);
        assertThatThrownBy(() -> m.set("after", "v", Durability.WRITE)).isInstanceOf(StoreFailedException.class);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);

        // make room (as an operator would), then reopen: every acknowledged write is there
        Files.deleteIfExists(fs.resolve("full.log.lock"));
        try (Store reopened = Store.open(log)) {
            PersistMap<String, String> r = reopened.map("m", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < acknowledged; i++) {
                assertThat(r.get("k" + i)).as("k" + i).isEqualTo(value);
            }
        }
    }

    @Test
    void readOnlyFileSystemGivesAClearErrorAndChangesNothing() throws Exception {
        Path source = Files.createDirectories(dir.resolve("rw"));
        Path log = source.resolve("ro.log");
        try (Store store = Store.open(log)) {
            store.map("m", Codecs.utf8(), Codecs.utf8()).set("k", "v", Durability.FSYNC);
        }
        byte[] before = Files.readAllBytes(log);
        Path ro = mount("ro", "--bind", source.toString());
        assumeTrue(run("mount", "-o", "remount,ro,bind", ro.toString()), "cannot remount read-only");
        Path roLog = ro.resolve("ro.log");
        assertThatThrownBy(() -> Store.open(roLog))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(roLog.toString())
                .hasMessageContaining("Read-only file system");
        assertThat(Files.readAllBytes(log)).isEqualTo(before);
    }
}
