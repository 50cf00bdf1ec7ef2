package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BadInputTest {
    @TempDir
    Path dir;

    /** Jackson cannot serialise a class with no properties (FAIL_ON_EMPTY_BEANS). */
    static final class Opaque {
    }

    @Test
    void unencodableValueThrowsAndWritesNothingAtAnyTier() throws Exception {
        Path log = dir.resolve("bad.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, Object> m = store.map("m", Codecs.utf8(), Codecs.json(Object.class));
            m.set("k", "before");
            long size = store.stats().logBytes();
            for (Durability tier : new Durability[] {Durability.ASYNC, Durability.WRITE, Durability.FSYNC}) {
                assertThatThrownBy(() -> m.set("k", new Opaque(), tier))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot encode");
                assertThatThrownBy(() -> m.update("k", u -> u.set(new Opaque()), tier))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            store.fsyncAll();
            assertThat(store.stats().logBytes()).isEqualTo(size);
            assertThat(m.get("k")).isEqualTo("before");
            assertThat(m.pendingAsync()).isZero();
        }
    }

    @Test
    void wrongValueClassIsAClassCastException() {
        try (Store store = Store.open(dir.resolve("cce.log"))) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            PersistMap<String, Object> m = (PersistMap) store.map("m", Codecs.utf8(), Codecs.json(Integer.class));
            assertThatThrownBy(() -> m.set("k", "not an int")).isInstanceOf(ClassCastException.class);
            assertThat(m.containsKey("k")).isFalse();
        }
    }

    @Test
    void nullKeysAndValuesAreRefused() {
        try (Store store = Store.open(dir.resolve("null.log"))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            assertThatThrownBy(() -> m.set(null, "v")).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> m.set("k", null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> m.get(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> m.update("k", u -> u.set(null))).isInstanceOf(NullPointerException.class);
            assertThat(m.size()).isZero();
        }
    }

    @Test
    void anUpdaterThatThrowsChangesNothing() {
        try (Store store = Store.open(dir.resolve("throw.log"))) {
            PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
            m.set("k", "v");
            assertThatThrownBy(() -> m.update("k", u -> {
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            assertThat(m.get("k")).isEqualTo("v");
            assertThat(store.stats().logRecords()).isEqualTo(1);
        }
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        assertThatThrownBy(() -> StoreOptions.defaults().syncInterval(Duration.ZERO))
                .hasMessageContaining("syncInterval");
        try (Store store = Store.open(dir.resolve("opts.log"))) {
            assertThatThrownBy(() -> store.startAutoShrink(Duration.ofSeconds(1), 0.5))
                    .hasMessageContaining("ratio");
            assertThatThrownBy(() -> store.syncInterval(Duration.ofSeconds(-1)))
                    .hasMessageContaining("syncInterval");
        }
    }

    @Test
    void aFileThatIsNotALogIsRefusedAndLeftAlone() throws Exception {
        Path log = dir.resolve("notes.txt");
        Files.writeString(log, "these are my notes, not a log file at all");
        assertThatThrownBy(() -> Store.open(log))
                .isInstanceOf(CorruptLogException.class)
                .hasMessageContaining(log.toString()).hasMessageContaining("not a persist-jcache log");
        assertThat(Files.readString(log)).startsWith("these are my notes");
    }

    @Test
    void closedStoreRefusesWritesAndCloseIsIdempotent() {
        Store store = Store.open(dir.resolve("closed.log"));
        PersistMap<String, String> m = store.map("m", Codecs.utf8(), Codecs.utf8());
        store.close();
        store.close();
        assertThatThrownBy(() -> m.set("k", "v")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(store::shrink).isInstanceOf(IllegalStateException.class);
    }
}
