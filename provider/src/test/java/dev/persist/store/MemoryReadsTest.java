package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A map's users' reads reach its memory through {@link MapMemory#read} (where a bounded memory decides whether to
 * record them with its policy); the store's own looks at memory, a peek among them, do not.
 */
class MemoryReadsTest {
    @TempDir
    Path dir;

    @Test
    void aGetReadsMemoryThroughReadAndAPeekDoesNot() {
        ConcurrentMap<String, String> entries = new ConcurrentHashMap<>();
        AtomicInteger reads = new AtomicInteger();
        MapMemory<String, String> memory = new MapMemory<>() {
            @Override
            public ConcurrentMap<String, String> asMap() {
                return entries;
            }

            @Override
            public String read(String key) {
                reads.incrementAndGet();
                return entries.get(key);
            }
        };
        try (Store store = Store.open(dir.resolve("a.log"),
                StoreOptions.defaults().syncInterval(Duration.ofHours(1)).diskNamespaces(ns -> ns.equals("d")))) {
            PersistMap<String, String> m = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(memory)
                    .disk(1L << 30));
            m.set("k", "v");
            entries.put("k", "v"); // as if kept in memory
            assertThat(m.get("k")).isEqualTo("v");
            assertThat(reads).as("one get").hasValue(1);
            assertThat(m.peek("k")).isEqualTo("v");
            assertThat(reads).as("a peek is no user's read").hasValue(1);
        }
    }
}
