package dev.persist.jcache;

import dev.persist.store.Store;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code store.mappedReads} reaches the store: by default a disk cache's entries in sealed segments are read through
 * mappings of the segment files (they show in the process's memory map), with {@code false} through positional
 * reads only (nothing of the store is mapped).
 */
class MappedReadsConfigTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"'', true", "'mappedReads: true', true", "'mappedReads: false', false"})
    void frontMissesReadSealedSegmentsThroughMappingsUnlessTurnedOff(String setting, boolean mapped)
            throws Exception {
        String yaml = """
                store:
                  segmentBytes: 64KB
                  %s
                caches:
                  items:
                    keyType: java.lang.String
                    valueType: java.lang.String
                    memory: { maximumSize: 10 }
                    disk: { maximumBytes: 64MB }
                """.formatted(setting);
        String value = "v".repeat(1000);
        try (CacheManager m = new Managers(dir, "c.yaml", yaml).open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            for (int i = 0; i < 300; i++) {
                c.put("k" + i, value + i);
            }
            for (int i = 0; i < 300; i++) {
                assertThat(c.get("k" + i)).isEqualTo(value + i);
            }
            Path log = m.unwrap(Store.class).path();
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.contains(log.toString()) && line.contains(" r--s ")).toList(); // not appends
            assertThat(!maps.isEmpty()).as("segments of %s mapped: %s", log, maps).isEqualTo(mapped);
        }
    }
}
