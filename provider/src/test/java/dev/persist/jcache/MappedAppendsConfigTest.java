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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code store.mappedAppends} reaches the store: by default (on Linux) the log's last segment is written through a
 * read-write mapping of its end (it shows in the process's memory map, and the file runs past its records), with
 * {@code false} with {@code write} only (nothing mapped read-write, the file exactly its records).
 */
class MappedAppendsConfigTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"'', true", "'mappedAppends: true', true", "'mappedAppends: false', false"})
    void appendsGoThroughAMappingUnlessTurnedOff(String setting, boolean mapped) throws Exception {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "appends are mapped on Linux only");
        String yaml = """
                store:
                  %s
                caches:
                  items:
                    keyType: java.lang.String
                    valueType: java.lang.String
                    durability: write
                """.formatted(setting);
        try (CacheManager m = new Managers(dir, "c.yaml", yaml).open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            for (int i = 0; i < 100; i++) {
                c.put("k" + i, "v" + i);
            }
            Store store = m.unwrap(Store.class);
            Path log = store.path();
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.contains(log.toString()) && line.contains(" rw-s ")).toList();
            assertThat(!maps.isEmpty()).as("the end of %s mapped for appends: %s", log, maps).isEqualTo(mapped);
            assertThat(Files.size(log) > store.stats().logBytes()).as("zeros past the records").isEqualTo(mapped);
        }
    }
}
