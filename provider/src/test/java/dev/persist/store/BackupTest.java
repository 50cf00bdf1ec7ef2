package dev.persist.store;

import dev.persist.store.log.IndexHint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Store#backup}: a copy of a live log, as it was at one moment, that opens as a store. */
class BackupTest {
    @TempDir
    Path dir;

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1)).segmentBytes(4096)
                .diskNamespaces(ns -> ns.equals("d"));
    }

    private static PersistMap<String, String> memoryMap(Store store) {
        return store.map(MapConfig.of("m", Codecs.utf8(), Codecs.utf8()));
    }

    private static PersistMap<String, String> diskMap(Store store) {
        return store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(new ConcurrentHashMap<>())
                .disk(1L << 30));
    }

    private static Map<String, String> contents(PersistMap<String, String> m) {
        Map<String, String> out = new HashMap<>();
        m.forEach(out::put);
        return out;
    }

    @Test
    void aBackupOpensWithEveryChangeMadeBeforeIt() {
        Path log = dir.resolve("app.log");
        Path copy = dir.resolve("backup");
        Map<String, String> memory;
        Map<String, String> disk;
        try (Store store = Store.open(log, options())) {
            PersistMap<String, String> m = memoryMap(store);
            PersistMap<String, String> d = diskMap(store);
            for (int i = 0; i < 300; i++) {
                m.set("k" + i, "old" + i);
                d.set("k" + i, "old" + i);
            }
            store.shrink(); // segment 0 emptied, the records in numbered segments, an index file written
            for (int i = 0; i < 300; i += 3) {
                m.set("k" + i, "new" + i);
                d.set("k" + i, "new" + i, Durability.ASYNC); // pending: the backup writes it first
                m.delete("k" + (i + 1));
                d.delete("k" + (i + 1));
            }
            memory = contents(m);
            disk = contents(d);
            List<Path> files = store.backup(copy);
            assertThat(files.get(0)).as("the emptied segment 0, which names the log").isEqualTo(copy.resolve("app.log"));
            assertThat(files.get(files.size() - 1)).isEqualTo(copy.resolve(IndexHint.pathOf(log).getFileName()));
            assertThat(files.size()).as("segments and the index file").isGreaterThan(3);
            m.set("after", "x"); // the store goes on
        }
        try (Store restored = Store.open(copy.resolve("app.log"), options())) {
            assertThat(contents(memoryMap(restored))).isEqualTo(memory);
            assertThat(contents(diskMap(restored))).isEqualTo(disk).hasSize(200);
        }
    }

    @Test
    void aBackupTakenWhileWritesAndShrinksGoOnHasEveryAcknowledgedChange() throws Exception {
        Path log = dir.resolve("busy.log");
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicInteger shrinks = new AtomicInteger();
        try (Store store = Store.open(log, options())) {
            PersistMap<String, Long> m = store.map(MapConfig.of("m", Codecs.utf8(), Codecs.json(Long.class)));
            Thread writer = new Thread(() -> {
                try {
                    for (long v = 1; !stop.get(); v++) {
                        String k = "k" + (v % 50);
                        m.set(k, v, Durability.WRITE);
                        acknowledged.put(k, v);
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            });
            Thread shrinker = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        store.shrink();
                        shrinks.incrementAndGet();
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            });
            writer.start();
            shrinker.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int b = 0; b < 8; b++) {
                    while (shrinks.get() < 3 * (b + 1) && error.get() == null) {
                        // a few shrinks between backups, so that each copy meets segments retired since the last
                        assertThat(System.nanoTime()).as("shrinks so far: %d", shrinks.get()).isLessThan(deadline);
                        Thread.sleep(1);
                    }
                    Map<String, Long> before = new HashMap<>(acknowledged);
                    Path copy = dir.resolve("backup" + b);
                    store.backup(copy);
                    try (Store restored = Store.open(copy.resolve("busy.log"), options())) {
                        Map<String, Long> got = new HashMap<>();
                        restored.map(MapConfig.of("m", Codecs.utf8(), Codecs.json(Long.class))).forEach(got::put);
                        for (Map.Entry<String, Long> e : before.entrySet()) {
                            assertThat(got.get(e.getKey())).as("backup %d, key %s", b, e.getKey())
                                    .isNotNull().isGreaterThanOrEqualTo(e.getValue());
                        }
                    }
                }
            } finally {
                stop.set(true);
                writer.join();
                shrinker.join();
            }
            assertThat(error.get()).isNull();
            assertThat(shrinks.get()).isGreaterThanOrEqualTo(24);
        }
    }

    @Test
    void aDirectoryThatIsNotEmptyIsRefusedAndNothingIsWritten() throws Exception {
        Path copy = Files.createDirectories(dir.resolve("used"));
        Files.writeString(copy.resolve("notes.txt"), "mine");
        try (Store store = Store.open(dir.resolve("a.log"), options())) {
            PersistMap<String, String> m = memoryMap(store);
            m.set("k", "v");
            assertThatThrownBy(() -> store.backup(copy)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("backup directory " + copy + " is not empty")
                    .hasMessageContaining("notes.txt");
            try (var files = Files.list(copy)) {
                assertThat(files).containsExactly(copy.resolve("notes.txt"));
            }
            assertThat(m.get("k")).isEqualTo("v");
        }
    }
}
