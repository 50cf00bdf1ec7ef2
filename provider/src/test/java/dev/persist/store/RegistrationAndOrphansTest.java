package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistrationAndOrphansTest {
    @TempDir
    Path dir;

    private void write(Path log, String ns, Map<String, String> entries) {
        try (Store store = Store.open(log)) {
            PersistMap<String, String> m = store.map(ns, Codecs.utf8(), Codecs.utf8());
            entries.forEach(m::set);
        }
    }

    @Test
    void mapRegisteredBeforeOpenIsFilledAtOpen() {
        Path log = dir.resolve("before.log");
        write(log, "users", Map.of("a", "1", "b", "2"));
        Store store = new Store();
        PersistMap<String, String> users = store.map("users", Codecs.utf8(), Codecs.utf8());
        assertThat(users.size()).isZero();
        store.openLog(log);
        try (store) {
            assertThat(users.get("a")).isEqualTo("1");
            assertThat(users.size()).isEqualTo(2);
            assertThat(store.orphanNamespaces()).isEmpty();
        }
    }

    @Test
    void lateRegistrationAdoptsTheNamespacesRecords() {
        Path log = dir.resolve("late.log");
        write(log, "users", Map.of("a", "1"));
        write(log, "sessions", Map.of("s", "x"));
        try (Store store = Store.open(log)) {
            assertThat(store.orphanNamespaces()).containsExactly("sessions", "users");
            assertThat(store.orphan("users", "a", Codecs.utf8())).isEqualTo("1");
            PersistMap<String, String> users = store.map("users", Codecs.utf8(), Codecs.utf8());
            assertThat(users.get("a")).isEqualTo("1");
            assertThat(store.orphanNamespaces()).containsExactly("sessions");
            assertThat(store.stats().liveKeys()).isEqualTo(2);
            assertThat(store.stats().orphanKeys()).isEqualTo(1);
        }
    }

    @Test
    void orphanCountIsWhatARegisteringMapWillAdopt() {
        Path log = dir.resolve("count.log");
        write(log, "users", Map.of("a", "1", "b", "2", "c", "3"));
        try (Store store = Store.open(log)) {
            assertThat(store.orphanCount("users")).isEqualTo(3);
            assertThat(store.orphanCount("nobody")).isZero();
            PersistMap<String, String> users = store.map("users", Codecs.utf8(), Codecs.utf8());
            assertThat(users.size()).isEqualTo(3);
            assertThat(store.orphanCount("users")).isZero(); // registered: no longer orphans
            users.close();
            assertThat(store.orphanCount("users")).isEqualTo(3);
        }
    }

    @Test
    void orphansAreKeptThroughShrinksAndReadable() {
        Path log = dir.resolve("orphans.log");
        write(log, "legacy", Map.of("k1", "v1", "k2", "v2"));
        try (Store store = Store.open(log)) {
            PersistMap<String, String> m = store.map("current", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < 50; i++) {
                m.set("x", "v" + i);
            }
            store.shrink();
            assertThat(store.stats().logRecords()).isEqualTo(3);
            Map<String, String> legacy = new HashMap<>();
            store.orphans("legacy").forEach(r -> legacy.put(r.keyAsString(), r.value(Codecs.utf8())));
            assertThat(legacy).containsEntry("k1", "v1").containsEntry("k2", "v2").hasSize(2);
        }
        try (Store store = Store.open(log)) {
            assertThat(store.orphans("legacy")).hasSize(2);
            assertThat(store.map("current", Codecs.utf8(), Codecs.utf8()).get("x")).isEqualTo("v49");
        }
    }

    @Test
    void closedMapKeepsItsEntriesAsOrphansAndCanRegisterAgain() {
        try (Store store = Store.open(dir.resolve("close.log"))) {
            PersistMap<String, String> m = store.map("c", Codecs.utf8(), Codecs.utf8());
            m.set("k", "v", Durability.ASYNC);
            m.close();
            assertThatThrownBy(() -> m.set("k", "w")).isInstanceOf(IllegalStateException.class);
            assertThat(store.orphans("c")).hasSize(1);
            store.shrink();
            assertThat(store.map("c", Codecs.utf8(), Codecs.utf8()).get("k")).isEqualTo("v");
        }
    }

    @Test
    void dropNamespaceDeletesRegisteredAndOrphanRecords() {
        Path log = dir.resolve("drop.log");
        write(log, "orphaned", Map.of("a", "1"));
        try (Store store = Store.open(log)) {
            PersistMap<String, String> m = store.map("live", Codecs.utf8(), Codecs.utf8());
            m.set("b", "2");
            store.dropNamespace("orphaned", Durability.WRITE);
            store.dropNamespace("live", Durability.WRITE);
            assertThat(m.size()).isZero();
            assertThat(store.orphanNamespaces()).isEmpty();
        }
        try (Store store = Store.open(log)) {
            assertThat(store.orphanNamespaces()).isEmpty();
            assertThat(store.stats().liveKeys()).isZero();
        }
    }

    @Test
    void duplicateRegistrationAndBadNamespacesAreRefused() {
        try (Store store = Store.open(dir.resolve("dup.log"))) {
            store.map("a", Codecs.utf8(), Codecs.utf8());
            assertThatThrownBy(() -> store.map("a", Codecs.utf8(), Codecs.utf8()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("'a'");
            assertThatThrownBy(() -> store.map("a:b", Codecs.utf8(), Codecs.utf8()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("':'");
            assertThatThrownBy(() -> store.map("", Codecs.utf8(), Codecs.utf8()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.map("a\nb", Codecs.utf8(), Codecs.utf8()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
        }
    }

    @Test
    void keysMayHoldAnyBytes() {
        Path log = dir.resolve("keys.log");
        String weird = "a:b\n\u0000\u0085 \u00e9\ud83d\ude00";
        try (Store store = Store.open(log)) {
            store.map("k", Codecs.utf8(), Codecs.utf8()).set(weird, "v");
            store.map("k", Codecs.utf8(), Codecs.utf8()); // refused below
        } catch (IllegalStateException expected) {
            // second registration of "k" in one store
        }
        try (Store store = Store.open(log)) {
            assertThat(store.map("k", Codecs.utf8(), Codecs.utf8()).get(weird)).isEqualTo("v");
        }
    }

    @Test
    void undecodableRecordsAreDroppedCountedAndDoNotStopTheOpen() {
        Path log = dir.resolve("undecodable.log");
        write(log, "nums", Map.of("good", "42", "bad", "not a number"));
        try (Store store = Store.open(log)) {
            PersistMap<String, Integer> nums = store.map("nums", Codecs.utf8(), Codecs.json(Integer.class));
            assertThat(nums.get("good")).isEqualTo(42);
            assertThat(nums.containsKey("bad")).isFalse();
            assertThat(store.stats().undecodableRecords()).isEqualTo(1);
        }
    }
}
