package dev.persist.jcache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiryAndEventsAfterRestartTest {
    @TempDir
    Path dir;

    private static MutableConfiguration<String, String> expiringAfter(long millis) {
        return new MutableConfiguration<String, String>().setTypes(String.class, String.class)
                .setExpiryPolicyFactory(CreatedExpiryPolicy.factoryOf(new Duration(TimeUnit.MILLISECONDS, millis)));
    }

    @Test
    void anExpiredEntryStaysExpiredAfterARestart() {
        Managers managers = new Managers(dir, "write");
        TestClock clock = new TestClock();
        try (CacheManager m = managers.openWith(PersistCacheManager.CLOCK_PROPERTY, clock)) {
            Cache<String, String> c = m.createCache("c", expiringAfter(300));
            c.put("short", "lived");
            m.createCache("d", expiringAfter(3_600_000)).put("long", "lived");
            clock.advance(java.time.Duration.ofMillis(299));
            assertThat(c.get("short")).as("not yet").isEqualTo("lived");
        }
        clock.advance(java.time.Duration.ofMillis(1));
        // re-created without an expiry policy: the expiry time comes from the log, not from the configuration
        try (CacheManager m = managers.openWith(PersistCacheManager.CLOCK_PROPERTY, clock)) {
            Cache<String, String> c = m.createCache("c", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            assertThat(c.get("short")).isNull();
            assertThat(c.containsKey("short")).isFalse();
            Cache<String, String> d = m.createCache("d", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            assertThat(d.get("long")).isEqualTo("lived");
        }
    }

    @Test
    void configuredAfterWriteExpiry() {
        Managers managers = new Managers(dir, "c.yaml", """
                caches:
                  sessions:
                    durability: async
                    expiry: { afterWrite: 200ms }
                """);
        TestClock clock = new TestClock();
        try (CacheManager m = managers.openWith(PersistCacheManager.CLOCK_PROPERTY, clock)) {
            Cache<Object, Object> s = m.getCache("sessions");
            s.put("k", "v");
            clock.advance(java.time.Duration.ofMillis(199));
            assertThat(s.get("k")).isEqualTo("v");
        }
        clock.advance(java.time.Duration.ofMillis(1));
        try (CacheManager m = managers.openWith(PersistCacheManager.CLOCK_PROPERTY, clock)) {
            assertThat(m.getCache("sessions").get("k")).isNull();
        }
    }

    /** Counts CREATED and UPDATED events in static counters (listeners are built from factories). */
    public static final class Counting implements CacheEntryCreatedListener<String, String>,
            CacheEntryUpdatedListener<String, String> {
        static final AtomicInteger CREATED = new AtomicInteger();
        static final AtomicInteger UPDATED = new AtomicInteger();

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(e -> CREATED.incrementAndGet());
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(e -> UPDATED.incrementAndGet());
        }
    }

    @Test
    void entriesReadBackFromTheLogFireNoCreatedEventsAndStatisticsStartAtZero() {
        Managers managers = new Managers(dir, "fsync");
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class).setStatisticsEnabled(true)
                .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                        FactoryBuilder.factoryOf(Counting.class), null, true, true));
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.createCache("c", config);
            c.put("a", "1");
            c.put("b", "2");
            assertThat(Counting.CREATED.get()).isEqualTo(2);
        }
        Counting.CREATED.set(0);
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.createCache("c", config);
            assertThat(Counting.CREATED.get()).isZero();
            assertThat(c.get("a")).isEqualTo("1");
            c.put("b", "3");
            assertThat(Counting.CREATED.get()).isZero();
            assertThat(Counting.UPDATED.get()).isEqualTo(1);
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            assertThat(pc.statistics().getCacheHits()).isEqualTo(1);
            assertThat(pc.statistics().getCachePuts()).isEqualTo(1);
        }
    }

    /** Counts EXPIRED events. */
    public static final class ExpiredCounter implements javax.cache.event.CacheEntryExpiredListener<String, String> {
        static final AtomicInteger EXPIRED = new AtomicInteger();

        @Override
        public void onExpired(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            events.forEach(e -> EXPIRED.incrementAndGet());
        }
    }

    @Test
    void expiredEntriesLeaveMemoryAndTheLogWithoutBeingReadAndFireExpiredEvents() throws InterruptedException {
        Managers managers = new Managers(dir, "write");
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.createCache("c", expiringAfter(200)
                    .addCacheEntryListenerConfiguration(new MutableCacheEntryListenerConfiguration<>(
                            FactoryBuilder.factoryOf(ExpiredCounter.class), null, true, false)));
            for (int i = 0; i < 10; i++) {
                c.put("k" + i, "v");
            }
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            long deadline = System.currentTimeMillis() + 5000;
            while ((pc.persistMap().size() > 0 || ExpiredCounter.EXPIRED.get() < 10)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pc.persistMap().size()).isZero();
            assertThat(ExpiredCounter.EXPIRED.get()).isEqualTo(10);
        }
        try (dev.persist.store.Store store = dev.persist.store.Store.open(dir.resolve("cache.log"))) {
            // the deletes reached the log: nothing of "c" is left
            assertThat(store.orphans("c")).isEmpty();
        }
    }
}
