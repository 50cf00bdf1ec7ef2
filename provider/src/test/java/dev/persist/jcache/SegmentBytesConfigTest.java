package dev.persist.jcache;

import dev.persist.store.LogFiles;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code store.segmentBytes} reaches the store: the log of a disk-backed cache rolls into segments of that size. */
class SegmentBytesConfigTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            store:
              segmentBytes: 1KB
            caches:
              items:
                keyType: java.lang.String
                valueType: java.lang.String
                memory: { maximumSize: 10 }
                disk: { maximumBytes: 64MB }
            """;

    @Test
    void theLogRollsAtTheConfiguredSegmentSizeAndReopens() throws Exception {
        Managers managers = new Managers(dir, "c.yaml", YAML);
        Path log;
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            for (int i = 0; i < 200; i++) {
                c.put("k" + i, "value-" + i);
            }
            log = m.unwrap(Store.class).path();
        }
        assertThat(LogFiles.segments(log).size()).isGreaterThan(5);
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            for (int i = 0; i < 200; i++) {
                assertThat(c.get("k" + i)).isEqualTo("value-" + i);
            }
        }
    }
}
