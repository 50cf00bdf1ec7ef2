package dev.persist.jcache;

import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryExpiredListener;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.event.EventType;
import javax.cache.integration.CacheLoader;
import javax.cache.processor.MutableEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cache with {@code disk}: every JCache operation sees the entries beyond the memory front, a front miss is a hit
 * read back from disk with no event, expiry times persisted on disk are honoured, the disk bound evicts, and a
 * restart reads the index file instead of every value.
 */
class DiskCacheTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            caches:
              items:
                durability: write
                keyType: java.lang.String
                valueType: java.lang.String
                memory: { maximumSize: 10 }
                disk: { maximumBytes: 64MB }
            """;

    /** Records every event type it hears, synchronously. */
    static final class Recorder implements CacheEntryCreatedListener<String, String>,
            CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String>,
            CacheEntryExpiredListener<String, String> {
        final List<String> events = new CopyOnWriteArrayList<>();

        private void record(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
            for (CacheEntryEvent<? extends String, ? extends String> e : es) {
                events.add(e.getEventType() + ":" + e.getKey());
            }
        }

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
            record(es);
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
            record(es);
        }

        @Override
        public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> es) {
            record(es);
        }

        @Override
        public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> es)
                throws CacheEntryListenerException {
            record(es);
        }

        long count(EventType type) {
            return events.stream().filter(e -> e.startsWith(type + ":")).count();
        }
    }

    private static Recorder listen(Cache<String, String> c) {
        Recorder r = new Recorder();
        c.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                new FactoryBuilder.SingletonFactory<>(r), null, true, true));
        return r;
    }

    @Test
    void everyOperationSeesTheEntriesBeyondTheMemoryFront() {
        Managers managers = new Managers(dir, "c.yaml", YAML);
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            PersistMap<Object, Stored> map = c.unwrap(PersistCache.class).persistMap();
            assertThat(map.isDiskBacked()).isTrue();
            Recorder events = listen(c);
            for (int i = 0; i < 1000; i++) {
                c.put("k" + i, "v" + i);
            }
            assertThat(events.count(EventType.CREATED)).isEqualTo(1000);
            events.events.clear();
            c.unwrap(PersistCache.class).statistics().clear();
            c.unwrap(PersistCache.class).setStatisticsEnabled(true);

            for (int i = 0; i < 1000; i++) {
                assertThat(c.get("k" + i)).isEqualTo("v" + i);
            }
            assertThat(c.unwrap(PersistCache.class).statistics().getCacheHits()).isEqualTo(1000);
            assertThat(c.unwrap(PersistCache.class).statistics().getCacheMisses()).isZero();
            assertThat(c.unwrap(PersistCache.class).statistics().getCacheEvictions())
                    .as("a front eviction is no JCache eviction").isZero();
            assertThat(c.containsKey("k3")).isTrue();
            assertThat(c.containsKey("nope")).isFalse();
            assertThat(c.getAll(Set.of("k1", "k500", "nope"))).isEqualTo(Map.of("k1", "v1", "k500", "v500"));

            Map<String, String> iterated = new HashMap<>();
            c.forEach(e -> iterated.put(e.getKey(), e.getValue()));
            assertThat(iterated).hasSize(1000).containsEntry("k999", "v999");
            assertThat(events.events).as("reads and front evictions fire nothing").isEmpty();

            assertThat(c.replace("k2", "v2", "w2")).isTrue();
            assertThat(c.replace("k4", "nope", "w4")).isFalse();
            assertThat(c.getAndReplace("k5", "w5")).isEqualTo("v5");
            assertThat(c.remove("k6", "v6")).isTrue();
            assertThat(c.getAndRemove("k7")).isEqualTo("v7");
            assertThat(c.remove("k8")).isTrue();
            assertThat(c.putIfAbsent("k9", "other")).isFalse();
            assertThat(c.getAndPut("k10", "w10")).isEqualTo("v10");
            assertThat(c.invoke("k11", (MutableEntry<String, String> e, Object... a) -> {
                String old = e.getValue();
                e.setValue(old + "!");
                return old;
            })).isEqualTo("v11");
            assertThat(c.get("k11")).isEqualTo("v11!");
            assertThat(events.events).containsExactlyInAnyOrder("UPDATED:k2", "UPDATED:k5", "REMOVED:k6",
                    "REMOVED:k7", "REMOVED:k8", "UPDATED:k10", "UPDATED:k11");
            assertThat(map.size()).isEqualTo(997);
        }
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            assertThat(c.unwrap(Store.class).openedFromIndex()).isTrue();
            assertThat(c.get("k2")).isEqualTo("w2");
            assertThat(c.get("k6")).isNull();
            assertThat(c.get("k999")).isEqualTo("v999");
            Set<String> keys = new HashSet<>();
            c.forEach(e -> keys.add(e.getKey()));
            assertThat(keys).hasSize(997);
            c.removeAll();
            assertThat(c.iterator().hasNext()).isFalse();
        }
    }

    @Test
    void persistedExpiryIsHonouredForDiskResidentEntries() {
        Managers managers = new Managers(dir, "c.yaml", YAML.replace("durability: write",
                "durability: write\n    expiry: { afterWrite: 1h }"));
        TestClock clock = new TestClock();
        try (CacheManager m = managers.openWith(PersistCacheManager.CLOCK_PROPERTY, clock)) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            for (int i = 0; i < 100; i++) {
                c.put("k" + i, "v" + i);
            }
            Recorder events = listen(c);
            clock.advance(Duration.ofMinutes(59));
            assertThat(c.get("k0")).isEqualTo("v0");
            clock.advance(Duration.ofMinutes(2));
            assertThat(c.get("k1")).as("read back from disk, expired").isNull();
            assertThat(events.events).containsExactly("EXPIRED:k1");
            assertThat(c.containsKey("k2")).isFalse();
        }
    }

    @Test
    void exceedingTheDiskBoundEvictsOldestFirstAsJCacheEvictions() throws Exception {
        Managers managers = new Managers(dir, "c.yaml", YAML.replace("64MB", "64KB"));
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            pc.setStatisticsEnabled(true);
            Recorder events = listen(c);
            String value = "x".repeat(200);
            for (int i = 0; i < 1000; i++) {
                c.put(String.format("k%04d", i), value);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (pc.statistics().getCacheEvictions() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            long evicted = pc.statistics().getCacheEvictions();
            assertThat(evicted).isGreaterThan(500);
            assertThat(c.get("k0000")).isNull();
            assertThat(c.get("k0999")).isEqualTo(value);
            assertThat(events.count(EventType.REMOVED) + events.count(EventType.EXPIRED)).isZero();
            assertThat(pc.persistMap().size()).isEqualTo(1000 - evicted);
        }
    }

    @Test
    void theDiskBoundSparesWhatTheFrontHolds() throws Exception {
        Managers managers = new Managers(dir, "c.yaml", YAML.replace("64MB", "64KB"));
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            pc.setStatisticsEnabled(true);
            String value = "x".repeat(200);
            c.put("hot", value); // the oldest record of the cache, written around the front
            assertThat(c.get("hot")).isEqualTo(value);
            assertThat(c.get("hot")).isEqualTo(value); // read back again: the front keeps it
            assertThat(pc.persistMap().diskStats().memoryEntries()).isEqualTo(1);
            for (int i = 0; i < 1000; i++) {
                c.put(String.format("k%04d", i), value);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (pc.statistics().getCacheEvictions() < 500 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(pc.statistics().getCacheEvictions()).isGreaterThanOrEqualTo(500);
            assertThat(c.get("k0000")).as("the oldest key the front does not hold").isNull();
            assertThat(c.get("hot")).isEqualTo(value);
        }
    }

    /** Loads "loaded:" + key. */
    public static final class EchoLoader implements CacheLoader<String, String> {
        @Override
        public String load(String key) {
            return "loaded:" + key;
        }

        @Override
        public Map<String, String> loadAll(Iterable<? extends String> keys) {
            Map<String, String> out = new HashMap<>();
            keys.forEach(k -> out.put(k, load(k)));
            return out;
        }
    }

    /** Collects what write-behind delivers. */
    public static final class CollectingWriter implements javax.cache.integration.CacheWriter<String, String> {
        static final Map<String, String> WRITTEN = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
            WRITTEN.put(entry.getKey(), entry.getValue());
        }

        @Override
        public void writeAll(java.util.Collection<Cache.Entry<? extends String, ? extends String>> entries) {
            entries.forEach(this::write);
            entries.clear();
        }

        @Override
        public void delete(Object key) {
            WRITTEN.remove(key);
        }

        @Override
        public void deleteAll(java.util.Collection<?> keys) {
            keys.forEach(WRITTEN::remove);
            keys.clear();
        }
    }

    @Test
    void readThroughAndWriteBehindWorkWithEntriesOnDisk() throws Exception {
        Managers managers = new Managers(dir, "c.yaml", YAML.replace("durability: write", "durability: write\n"
                + "    loader: " + EchoLoader.class.getName() + "\n    writer: " + CollectingWriter.class.getName()
                + "\n    writeBehind: { delay: 100ms }"));
        CollectingWriter.WRITTEN.clear();
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            for (int i = 0; i < 50; i++) {
                c.put("k" + i, "v" + i);
            }
            assertThat(c.get("k3")).isEqualTo("v3");
            assertThat(c.get("missing")).isEqualTo("loaded:missing");
            assertThat(c.unwrap(PersistCache.class).flushWriteBehind(Duration.ofSeconds(10))).isTrue();
            assertThat(CollectingWriter.WRITTEN).containsEntry("k49", "v49").hasSize(50);
        }
    }

    @Test
    void aCacheSizedBeyondTheFrontKeepsOnlyTheFrontInMemory() {
        Managers managers = new Managers(dir, "c.yaml", YAML);
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.getCache("items", String.class, String.class);
            IntStream.range(0, 500).forEach(i -> c.put("k" + i, "v" + i));
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            assertThat(pc.frontSize()).isLessThanOrEqualTo(10);
            assertThat(IntStream.range(0, 500).mapToObj(i -> c.get("k" + i)).collect(Collectors.toSet()))
                    .hasSize(500);
            assertThat(pc.frontSize()).isLessThanOrEqualTo(10);
        }
    }
}
