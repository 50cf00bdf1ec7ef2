package dev.persist.jcache;

import dev.persist.store.Store;
import dev.persist.store.StoreFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.EntryProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A failed store (here: its log deleted under it, which the store detects and fails on, as it would on a full disk)
 * reaches JCache callers as JSR-107 says a failed operation does: a {@link CacheException} whose cause is the store's
 * exception, naming the file. Reads go on being served.
 */
class StoreFailureThroughJCacheTest {
    @TempDir
    Path dir;

    @Test
    void everyWritingOperationThrowsCacheExceptionCausedByTheStoreFailure() {
        Managers managers = new Managers(dir, "write");
        CacheManager m = managers.open();
        try {
            Cache<String, String> c = m.createCache("c", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            c.put("a", "1");
            Files.delete(dir.resolve("cache.log"));
            Store store = m.unwrap(Store.class);
            assertThatThrownBy(store::fsyncAll).isInstanceOf(StoreFailedException.class);

            for (Runnable op : new Runnable[] {
                    () -> c.put("b", "2"),
                    () -> c.getAndPut("a", "2"),
                    () -> c.remove("a"),
                    () -> c.replace("a", "3"),
                    () -> c.invoke("a", (EntryProcessor<String, String, Object>) (e, args) -> {
                        e.setValue("4");
                        return null;
                    }),
                    () -> c.putAll(Map.of("x", "1", "y", "2")),
                    () -> c.removeAll(Set.of("a")),
                    c::clear}) {
                assertThatThrownBy(op::run)
                        .isInstanceOf(CacheException.class)
                        .hasCauseInstanceOf(StoreFailedException.class)
                        .hasMessageContaining("cache 'c'")
                        .hasMessageContaining("cache.log");
            }
            assertThat(c.get("a")).as("reads are still served from memory").isNotNull();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            assertThatThrownBy(m::close).as("closing a failed store reports it").isInstanceOf(CacheException.class);
        }
    }
}
