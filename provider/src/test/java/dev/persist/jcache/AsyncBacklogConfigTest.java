package dev.persist.jcache;

import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code store.asyncBacklog} reaches the store: with the syncer idle, no more ASYNC puts wait in memory than the
 * backlog holds, and every put is there after a reopen.
 */
class AsyncBacklogConfigTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            store:
              syncInterval: 1h
              asyncBacklog: 8KB
            caches:
              items:
                keyType: java.lang.String
                valueType: java.lang.String
                durability: async
            """;

    @Test
    void asyncPutsWaitOnlyUpToTheConfiguredBacklog() throws Exception {
        Managers managers = new Managers(dir, "c.yaml", YAML);
        String value = "v".repeat(1000);
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            for (int i = 0; i < 100; i++) {
                c.put("k" + i, value);
            }
            long waiting = m.unwrap(Store.class).stats().pendingAsyncKeys();
            assertThat(waiting).as("puts waiting for the syncer").isBetween(1L, 9L);
        }
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            for (int i = 0; i < 100; i++) {
                assertThat(c.get("k" + i)).as("k%d", i).isEqualTo(value);
            }
        }
    }
}
