package dev.persist.jcache;

import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A closed cache manager leaves nothing of its store behind: the store, its caches and a disk-backed cache's index
 * become garbage while the provider (which an application keeps for its lifetime) lives on. A registry that kept a
 * closed store would hold every index entry of every disk-backed cache ever opened.
 */
class ClosedManagerIsCollectableTest {
    @TempDir
    Path dir;

    @Test
    void aClosedManagersStoreAndCachesAreCollectedWhileTheProviderLives() throws Exception {
        Managers managers = new Managers(dir, "c.yaml", """
                caches:
                  items:
                    durability: write
                    keyType: java.lang.String
                    valueType: java.lang.String
                    memory: { maximumSize: 10 }
                    disk: { maximumBytes: 64MB }
                  plain:
                    keyType: java.lang.String
                    valueType: java.lang.String
                """);
        List<WeakReference<Object>> refs = useAndClose(managers);
        for (int i = 0; i < 50 && refs.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(refs.stream().map(WeakReference::get).toList())
                .as("the store, a disk-backed cache and a memory cache of a closed manager").containsOnlyNulls();
        // the provider is still usable: the same URI opens again with every entry
        try (CacheManager m = managers.open()) {
            assertThat(m.getCache("items", String.class, String.class).get("k999")).isEqualTo("v999");
        }
    }

    /** In a method of its own, so that no local variable of the test keeps what it opened reachable. */
    private static List<WeakReference<Object>> useAndClose(Managers managers) {
        try (CacheManager m = managers.open()) {
            Cache<String, String> items = m.getCache("items", String.class, String.class);
            Cache<String, String> plain = m.getCache("plain", String.class, String.class);
            for (int i = 0; i < 1000; i++) {
                items.put("k" + i, "v" + i);
                plain.put("k" + i, "v" + i);
            }
            return List.of(new WeakReference<>(m.unwrap(Store.class)), new WeakReference<>(items),
                    new WeakReference<>(plain));
        }
    }
}
