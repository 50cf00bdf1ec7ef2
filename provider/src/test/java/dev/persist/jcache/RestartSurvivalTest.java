package dev.persist.jcache;

import dev.persist.store.LogFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.integration.CacheLoader;
import javax.cache.processor.EntryProcessor;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RestartSurvivalTest {
    @TempDir
    Path dir;

    record Book(String title, int pages) implements Serializable {
    }

    private static MutableConfiguration<String, Book> books() {
        return new MutableConfiguration<String, Book>().setTypes(String.class, Book.class);
    }

    private static Map<String, Book> contents(Cache<String, Book> cache) {
        Map<String, Book> m = new HashMap<>();
        cache.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"async", "write", "fsync"})
    void everyMutatingOperationSurvivesARestart(String tier) {
        Managers managers = new Managers(dir, tier);
        try (CacheManager m = managers.open()) {
            Cache<String, Book> c = m.createCache("books", books());
            c.put("put", new Book("put", 1));
            c.putAll(Map.of("all1", new Book("a", 2), "all2", new Book("b", 3)));
            c.putIfAbsent("absent", new Book("pia", 4));
            c.put("replaced", new Book("old", 5));
            c.replace("replaced", new Book("new", 6));
            c.getAndPut("gap", new Book("gap", 7));
            c.invoke("invoked", (EntryProcessor<String, Book, Void>) (e, args) -> {
                e.setValue(new Book("inv", 8));
                return null;
            });
            c.put("removed", new Book("x", 9));
            c.remove("removed");
            c.put("gar", new Book("y", 10));
            c.getAndRemove("gar");
            c.put("ra", new Book("z", 11));
            c.removeAll(Set.of("ra"));
        }
        try (CacheManager m = managers.open()) {
            Cache<String, Book> c = m.createCache("books", books());
            assertThat(contents(c)).isEqualTo(Map.of(
                    "put", new Book("put", 1),
                    "all1", new Book("a", 2),
                    "all2", new Book("b", 3),
                    "absent", new Book("pia", 4),
                    "replaced", new Book("new", 6),
                    "gap", new Book("gap", 7),
                    "invoked", new Book("inv", 8)));
            assertThat(c.get("replaced")).isEqualTo(new Book("new", 6));
            assertThat(c.get("invoked")).isEqualTo(new Book("inv", 8));
        }
    }

    @Test
    void memoryTierDoesNotReachTheLog() {
        Managers managers = new Managers(dir, "memory");
        try (CacheManager m = managers.open()) {
            m.createCache("books", books()).put("k", new Book("t", 1));
        }
        try (CacheManager m = managers.open()) {
            assertThat(m.createCache("books", books()).containsKey("k")).isFalse();
        }
    }

    @Test
    void perOperationTiers() {
        Managers managers = new Managers(dir, "config.yaml", """
                caches:
                  books:
                    keyType: java.lang.String
                    valueType: dev.persist.jcache.RestartSurvivalTest$Book
                    durability: { default: memory, put: write }
                  ledger:
                    keyType: java.lang.String
                    valueType: dev.persist.jcache.RestartSurvivalTest$Book
                    durability: { default: memory, invoke: fsync, remove: write }
                """);
        try (CacheManager m = managers.open()) {
            Cache<String, Book> books = m.getCache("books", String.class, Book.class);
            books.put("a", new Book("a", 1));
            books.put("b", new Book("b", 2));
            books.remove("b"); // at memory: the log still holds b
            Cache<String, Book> ledger = m.getCache("ledger", String.class, Book.class);
            ledger.put("p", new Book("p", 1)); // memory: lost
            ledger.invoke("i", (e, args) -> {
                e.setValue(new Book("i", 2));
                return null;
            });
        }
        try (CacheManager m = managers.open()) {
            Cache<String, Book> books = m.getCache("books", String.class, Book.class);
            assertThat(contents(books)).containsOnlyKeys("a", "b");
            Cache<String, Book> ledger = m.getCache("ledger", String.class, Book.class);
            assertThat(contents(ledger)).containsOnlyKeys("i");
            ledger.remove("i"); // at write
        }
        try (CacheManager m = managers.open()) {
            assertThat(m.getCache("ledger", String.class, Book.class).containsKey("i")).isFalse();
        }
    }

    /** Loads "loaded-" + key. */
    public static final class Loader implements CacheLoader<String, Book>, Serializable {
        @Override
        public Book load(String key) {
            return new Book("loaded-" + key, 0);
        }

        @Override
        public Map<String, Book> loadAll(Iterable<? extends String> keys) {
            Map<String, Book> m = new HashMap<>();
            keys.forEach(k -> m.put(k, load(k)));
            return m;
        }
    }

    @Test
    void loadTierAppliesToReadThrough() {
        Managers managers = new Managers(dir, "config.yaml", """
                defaults: { durability: { default: memory, load: write } }
                """);
        MutableConfiguration<String, Book> readThrough = books().setReadThrough(true)
                .setCacheLoaderFactory(FactoryBuilder.factoryOf(Loader.class));
        try (CacheManager m = managers.open()) {
            Cache<String, Book> c = m.createCache("loaded", readThrough);
            assertThat(c.get("k")).isEqualTo(new Book("loaded-k", 0));
            c.put("p", new Book("put at memory", 1));
        }
        try (CacheManager m = managers.open()) {
            Cache<String, Book> c = m.createCache("loaded", books());
            assertThat(contents(c)).containsOnlyKeys("k");
        }
    }

    @Test
    void destroyedCachesStayDestroyed() {
        Managers managers = new Managers(dir, "write");
        try (CacheManager m = managers.open()) {
            m.createCache("books", books()).put("k", new Book("t", 1));
            m.destroyCache("books");
        }
        try (CacheManager m = managers.open()) {
            assertThat(m.createCache("books", books()).containsKey("k")).isFalse();
        }
    }

    @Test
    void closedCachesComeBackWhenCreatedAgainAndNamesDoNotCollide() {
        Managers managers = new Managers(dir, "write");
        String[] names = {"a:b", "a%3Ab", "com.example.Book", "", "~", "line\nbreak"};
        try (CacheManager m = managers.open()) {
            for (String n : names) {
                m.createCache(n, books()).put("k", new Book(n, 1));
            }
            m.getCache("a:b").close();
            assertThat(m.getCache("a:b")).isNull();
            assertThat(m.createCache("a:b", books()).get("k")).isEqualTo(new Book("a:b", 1));
        }
        try (CacheManager m = managers.open()) {
            assertThat(m.getCacheNames()).isEmpty();
            for (String n : names) {
                assertThat(m.createCache(n, books()).get("k")).isEqualTo(new Book(n, 1));
            }
        }
    }

    @Test
    void storeByReferenceCachesAreMemoryOnly() {
        Managers managers = new Managers(dir, "fsync");
        Object notSerializable = new Object();
        try (CacheManager m = managers.open()) {
            Cache<String, Object> c = m.createCache("refs",
                    new MutableConfiguration<String, Object>().setStoreByValue(false));
            c.put("k", notSerializable);
            assertThat(c.get("k")).isSameAs(notSerializable);
            assertThat(c.unwrap(PersistCache.class).isPersistent()).isFalse();
        }
        try (CacheManager m = managers.open()) {
            Cache<String, Object> c = m.createCache("refs",
                    new MutableConfiguration<String, Object>().setStoreByValue(false));
            assertThat(c.containsKey("k")).isFalse();
        }
    }

    @Test
    void sizeEvictionRemovesTheEntryFromTheLog() throws Exception {
        Managers managers = new Managers(dir, "config.yaml", """
                caches:
                  small: { maximumSize: 10, keyType: java.lang.String, valueType: java.lang.String }
                """);
        Path log = dir.resolve("cache.log");
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("small", String.class, String.class);
            for (int i = 0; i < 100; i++) {
                c.put("k" + i, "v" + i);
            }
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            long deadline = System.currentTimeMillis() + 5000;
            while (pc.persistMap().size() > 10 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(pc.persistMap().size()).as("entries held after eviction").isLessThanOrEqualTo(10);
        }
        // the log itself, read without the provider (which evicts down to the bound again at open, and so hid a
        // missing delete): evicted keys' last records are deletes
        Map<String, String> live = new HashMap<>();
        Set<String> setBefore = new java.util.HashSet<>();
        int[] deletes = {0};
        String namespace = CacheNamespaces.namespaceOf("small");
        assertThat(LogFiles.read(log, r -> {
            if (r.namespace().equals(namespace)) {
                if (r.delete()) {
                    assertThat(setBefore).as("a delete of a key never put").contains(r.keyAsString());
                    deletes[0]++;
                    live.remove(r.keyAsString());
                } else {
                    setBefore.add(r.keyAsString());
                    live.put(r.keyAsString(), new String(r.value(), java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
        })).as("damage in the log").isEmpty();
        assertThat(setBefore).as("keys put").hasSize(100);
        // every eviction's delete reached the log, even though Caffeine reports an eviction before the mapping is
        // gone (the store compares the evicted value, not the key's presence)
        assertThat(deletes[0]).as("deletes of evicted keys in the log").isGreaterThanOrEqualTo(90);
        assertThat(live).as("live keys of cache 'small' in the log").isNotEmpty().hasSizeLessThanOrEqualTo(10);
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("small", String.class, String.class);
            Map<String, String> found = new HashMap<>();
            for (Cache.Entry<String, String> e : c) {
                found.put(e.getKey(), e.getValue());
            }
            assertThat(found).isNotEmpty().hasSizeLessThanOrEqualTo(10);
            assertThat(live).containsKeys(found.keySet().toArray(String[]::new));
            found.forEach((k, v) -> assertThat(v).as(k).isEqualTo("v" + k.substring(1)));
        }
    }

    @Test
    void perCallTiersThroughTheNativeApi() {
        Managers managers = new Managers(dir, "memory");
        try (CacheManager m = managers.open()) {
            Cache<String, Book> c = m.createCache("books", books());
            @SuppressWarnings("unchecked")
            PersistCache<String, Book> native_ = c.unwrap(PersistCache.class);
            native_.put("durable", new Book("d", 1), dev.persist.store.Durability.FSYNC);
            c.put("volatile", new Book("v", 2));
            assertThat(native_.tiers().put()).isEqualTo(dev.persist.store.Durability.MEMORY);
            assertThat(native_.persistMap().get("durable").expiresAt()).isEqualTo(Long.MAX_VALUE);
        }
        try (CacheManager m = managers.open()) {
            assertThat(contents(m.createCache("books", books()))).containsOnlyKeys("durable");
        }
    }

    @Test
    void maximumWeightBoundsTheBytesOfStoredValues() throws InterruptedException {
        Managers managers = new Managers(dir, "config.yaml", """
                caches:
                  heavy: { maximumWeight: 2000, keyType: java.lang.String, valueType: java.lang.String }
                """);
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("heavy", String.class, String.class);
            for (int i = 0; i < 50; i++) {
                c.put("k" + i, "x".repeat(92)); // 100 bytes each with the envelope header
            }
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            long deadline = System.currentTimeMillis() + 5000;
            while (pc.persistMap().size() > 20 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(pc.persistMap().size()).isLessThanOrEqualTo(20);
            assertThat(pc.statistics().getCacheEvictions()).isZero(); // statistics are off
        }
    }

    @Test
    void bulkOperationsAtFsyncShareFsyncsAndSurvive() {
        Managers managers = new Managers(dir, "fsync");
        try (CacheManager m = managers.open()) {
            Cache<String, Book> c = m.createCache("books", books());
            dev.persist.store.Store store = m.unwrap(dev.persist.store.Store.class);
            Map<String, Book> many = new HashMap<>();
            for (int i = 0; i < 1000; i++) {
                many.put("k" + i, new Book("t" + i, i));
            }
            long syncs = store.stats().syncCalls();
            c.putAll(many);
            assertThat(store.stats().syncCalls() - syncs).isLessThanOrEqualTo(3);
            syncs = store.stats().syncCalls();
            c.removeAll(Set.of("k1", "k2", "k3"));
            assertThat(store.stats().syncCalls() - syncs).isLessThanOrEqualTo(3);
            Cache<String, Book> cleared = m.createCache("cleared", books());
            cleared.putAll(many);
            cleared.clear();
        }
        try (CacheManager m = managers.open()) {
            assertThat(contents(m.createCache("books", books()))).hasSize(997).doesNotContainKeys("k1", "k2", "k3");
            assertThat(contents(m.createCache("cleared", books()))).isEmpty();
        }
    }
}
