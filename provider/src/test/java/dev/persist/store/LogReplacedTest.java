package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A log deleted or replaced under an open store: writes would go to a file nobody reads, so the store fails loudly. */
class LogReplacedTest {
    @TempDir
    Path dir;

    private final List<Throwable> reported = new CopyOnWriteArrayList<>();

    @Test
    void deletedLogFailsTheStoreAtTheNextFsyncAll() throws Exception {
        Path log = dir.resolve("deleted.log");
        Store store = Store.open(log, StoreOptions.defaults().syncInterval(Duration.ofHours(1)).errorHandler(reported::add));
        PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
        m.set("k", "v", Durability.FSYNC);
        Files.delete(log);
        assertThatThrownBy(store::fsyncAll)
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining(log.toString()).hasMessageContaining("deleted");
        assertThatThrownBy(() -> m.set("k2", "v", Durability.WRITE)).isInstanceOf(StoreFailedException.class);
        assertThat(reported).hasSize(1);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);
    }

    @Test
    void replacedLogIsNoticedByTheBackgroundSyncer() throws Exception {
        Path log = dir.resolve("replaced.log");
        Path other = dir.resolve("other.log");
        try (Store o = Store.open(other)) {
            o.map("m", Codecs.utf8(), Codecs.utf8()).set("from", "other", Durability.FSYNC);
        }
        Store store = Store.open(log, StoreOptions.defaults().syncInterval(Duration.ofMillis(20)).errorHandler(reported::add));
        PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
        m.set("k", "v", Durability.FSYNC);
        Files.move(other, log, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (store.stats().failure() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(store.stats().failure()).hasMessageContaining("replaced by another file");
        assertThatThrownBy(() -> m.set("k2", "v", Durability.WRITE)).isInstanceOf(StoreFailedException.class);
        assertThatThrownBy(store::close).isInstanceOf(StoreFailedException.class);
        try (Store reopened = Store.open(log)) {
            // what is at the path now is what opens: the replacement, untouched by the old store
            assertThat(reopened.map("m", Codecs.utf8(), Codecs.utf8()).get("from")).isEqualTo("other");
        }
    }

    @Test
    void aShrinkRenamingTheLogIsNotMistakenForAReplacement() {
        Path log = dir.resolve("shrunk.log");
        try (Store store = Store.open(log, StoreOptions.defaults().syncInterval(Duration.ofMillis(5)))) {
            PersistMap<String, Integer> m = store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            for (int i = 0; i < 30; i++) {
                m.set("k" + (i % 3), i, Durability.WRITE);
                store.shrink();
            }
            store.fsyncAll();
            assertThat(store.stats().failure()).isNull();
        }
    }
}
