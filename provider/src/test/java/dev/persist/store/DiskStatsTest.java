package dev.persist.store;

import dev.persist.store.log.RecordFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PersistMap#diskStats()}: one disk-backed map's figures, apart from the other maps of its store. */
class DiskStatsTest {
    @TempDir
    Path dir;

    private final ConcurrentMap<String, String> frontA = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> frontB = new ConcurrentHashMap<>();

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1))
                .diskNamespaces(ns -> ns.equals("a") || ns.equals("b"));
    }

    private static PersistMap<String, String> diskMap(Store store, String name, ConcurrentMap<String, String> front,
                                                      long bound) {
        return store.map(MapConfig.of(name, Codecs.utf8(), Codecs.utf8()).memory(front).disk(bound));
    }

    private static long recordBytes(String namespace, String key, String value) {
        return RecordFormat.encodeSet(namespace.getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)).length;
    }

    @Test
    void eachMapCountsItsOwnReadsFromDiskEntriesAndBytes() {
        try (Store store = Store.open(dir.resolve("s.log"), options())) {
            PersistMap<String, String> a = diskMap(store, "a", frontA, 1L << 20);
            PersistMap<String, String> b = diskMap(store, "b", frontB, 1L << 30);
            long bytesOfA = 0;
            for (int i = 0; i < 10; i++) {
                a.set("k" + i, "value" + i); // written around the front: on disk only
                bytesOfA += recordBytes("a", "k" + i, "value" + i);
            }
            b.set("x", "y");
            assertThat(a.diskStats()).isEqualTo(new DiskStats(10, bytesOfA, 1L << 20, 0, 0));

            for (int i = 0; i < 10; i++) {
                assertThat(a.get("k" + i)).isEqualTo("value" + i); // read back once, not kept
            }
            assertThat(a.get("k0")).isEqualTo("value0"); // read back again, now kept in memory
            assertThat(a.get("k0")).isEqualTo("value0"); // a front hit: no read
            assertThat(a.get("absent")).isNull(); // no record: no read
            assertThat(a.diskStats()).isEqualTo(new DiskStats(10, bytesOfA, 1L << 20, 1, 11));
            assertThat(b.diskStats().reads()).as("another map's reads").isZero();
            assertThat(store.stats().diskReads()).as("the store's, every map's").isEqualTo(11);

            assertThat(b.get("x")).isEqualTo("y");
            assertThat(b.diskStats()).isEqualTo(new DiskStats(1, recordBytes("b", "x", "y"), 1L << 30, 0, 1));
            assertThat(store.stats().diskReads()).isEqualTo(12);

            a.delete("k1");
            assertThat(a.diskStats().entries()).isEqualTo(9);
            assertThat(a.diskStats().liveBytes()).isEqualTo(bytesOfA - recordBytes("a", "k1", "value1"));
        }
    }

    @Test
    void aMapHeldInMemoryHasNoDiskStats() {
        try (Store store = Store.open(dir.resolve("m.log"), options())) {
            PersistMap<String, String> m = store.map(MapConfig.of("mem", Codecs.utf8(), Codecs.utf8()));
            m.set("k", "v");
            assertThatThrownBy(m::diskStats).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'mem' is not disk-backed").hasMessageContaining("all its 1 entries");
        }
    }
}
