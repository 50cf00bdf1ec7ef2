package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Store#shrink()} in a loop while threads append at WRITE: every shrinking succeeds and nothing is lost.
 *
 * <p>Regression test: shrinking's final copy used to read the old log up to the last appended LSN while records
 * appended just before it took the append lock were still in the writer's buffer, not in the file, so shrink()
 * failed with "log ended at X, expected Y" whenever a writer slipped in there (found by {@link CrashTest}).
 */
class ShrinkUnderLoadTest {
    @TempDir
    Path dir;

    @Test
    void shrinkNeverFailsBesideConcurrentWriters() throws Exception {
        Path log = dir.resolve("load.log");
        ConcurrentHashMap<String, Long> expected = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        int shrinks = 0;
        try (Store store = Store.open(log)) {
            PersistMap<String, Long> m = store.map("m", Codecs.utf8(), Codecs.json(Long.class));
            for (int i = 0; i < 5000; i++) {
                m.set("pad" + i, (long) i, Durability.WRITE); // some live state, so a snapshot takes a moment
                expected.put("pad" + i, (long) i);
            }
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try {
                        for (long v = 1; !stop.get(); v++) {
                            String k = "t" + id + "-" + (v % 50);
                            m.set(k, v, v % 7 == 0 ? Durability.FSYNC : Durability.WRITE);
                            expected.put(k, v);
                        }
                    } catch (Throwable e) {
                        writerError.compareAndSet(null, e);
                    }
                });
                writers.add(w);
                w.start();
            }
            long end = System.nanoTime() + 2_000_000_000L;
            try {
                while (System.nanoTime() < end) {
                    store.shrink();
                    shrinks++;
                }
            } finally {
                stop.set(true);
                for (Thread w : writers) {
                    w.join();
                }
            }
            assertThat(writerError.get()).isNull();
            assertThat(store.stats().shrinks()).isEqualTo(shrinks);
        }
        assertThat(shrinks).isGreaterThan(5);
        try (Store store = Store.open(log)) {
            PersistMap<String, Long> m = store.map("m", Codecs.utf8(), Codecs.json(Long.class));
            java.util.Map<String, Long> actual = new java.util.HashMap<>();
            m.forEach(actual::put);
            assertThat(actual).isEqualTo(expected);
            assertThat(store.stats().tornBytesTruncated()).isZero();
        }
    }
}
