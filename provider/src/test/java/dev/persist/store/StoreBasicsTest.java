package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreBasicsTest {
    @TempDir
    Path dir;

    record User(String name, int age) {
    }

    @Test
    void everyTierSurvivesCloseAndReopen() {
        Path log = dir.resolve("a.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, User> users = store.map("users", User.class);
            users.set("m", new User("mem", 1), Durability.MEMORY);
            users.set("a", new User("async", 2), Durability.ASYNC);
            users.set("w", new User("write", 3), Durability.WRITE);
            users.set("f", new User("fsync", 4), Durability.FSYNC);
            users.set("gone", new User("x", 5), Durability.WRITE);
            assertThat(users.delete("gone", Durability.FSYNC)).isTrue();
        }
        try (Store store = Store.open(log)) {
            PersistMap<String, User> users = store.map("users", User.class);
            Map<String, User> seen = new HashMap<>();
            users.forEach(seen::put);
            // MEMORY never reached the log; close() wrote the ASYNC one
            assertThat(seen).containsOnlyKeys("a", "w", "f");
            assertThat(users.get("f")).isEqualTo(new User("fsync", 4));
        }
    }

    @Test
    void updateSetsDeletesAndCancels() {
        try (Store store = Store.open(dir.resolve("u.log"))) {
            PersistMap<String, Integer> m = store.map("counters", Codecs.utf8(), Codecs.json(Integer.class));
            assertThat(m.update("c", u -> u.set(u.exists() ? u.value() + 1 : 1))).isEqualTo(1);
            assertThat(m.update("c", u -> u.set(u.value() + 1))).isEqualTo(2);
            assertThat(m.update("c", u -> { u.set(99); u.cancel(); })).isEqualTo(2);
            assertThat(m.update("c", Update::delete)).isNull();
            assertThat(m.containsKey("c")).isFalse();
            assertThat(store.stats().logRecords()).isEqualTo(3);
        }
    }

    @Test
    void secondStoreOnSameFileInThisJvmIsRefused() {
        Path log = dir.resolve("l.log");
        try (Store first = Store.open(log)) {
            assertThatThrownBy(() -> Store.open(log))
                    .isInstanceOf(StoreLockedException.class)
                    .hasMessageContaining(log.toString());
            assertThat(first.isOpen()).isTrue();
        }
        Store.open(log).close();
    }
}
