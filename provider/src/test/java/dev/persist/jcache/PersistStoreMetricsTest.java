package dev.persist.jcache;

import dev.persist.jcache.metrics.PersistStoreMetrics;
import dev.persist.store.Codecs;
import dev.persist.store.Durability;
import dev.persist.store.MapConfig;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import dev.persist.store.StoreOptions;
import dev.persist.testkit.FileDamage;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The store's figures through {@link PersistStoreMetrics}, each meter reading the figure it names. */
class PersistStoreMetricsTest {
    record Refused(String s) implements Serializable {
    }

    @TempDir
    Path dir;

    @Test
    void eachMeterReadsItsFigureOfTheStore() {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("m.log").toString());
        p.setProperty("defaults.durability", "fsync");
        p.setProperty("defaults.onUnencodable", "skip");
        p.setProperty("store.generation", "g1");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("metrics"),
                getClass().getClassLoader(), p)) {
            PersistStoreMetrics.of(m).bindTo(registry);
            Cache<Object, Object> c = m.createCache("c", new MutableConfiguration<>());
            c.put("a", "1");
            c.put("b", "2");
            c.put("b", new Refused("x"));
            c.unwrap(PersistCache.class).put("async", "3", dev.persist.store.Durability.ASYNC);
            Store store = m.unwrap(Store.class);
            String tag = store.path().toString();

            assertThat(registry.get("persist.store.log.bytes").tag("store", tag).gauge().value())
                    .isEqualTo(store.stats().logBytes()).isPositive();
            assertThat(registry.get("persist.store.keys.live").gauge().value()).isEqualTo(store.stats().liveKeys());
            assertThat(registry.get("persist.store.log.records").gauge().value())
                    .isEqualTo(store.stats().logRecords());
            assertThat(registry.get("persist.store.async.pending").gauge().value()).isEqualTo(1);
            assertThat(registry.get("persist.store.values.skipped").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("persist.store.records.undecodable").functionCounter().count()).isZero();
            assertThat(registry.get("persist.store.generation.clears").functionCounter().count()).isZero();
            assertThat(registry.get("persist.store.disk.reads").functionCounter().count()).as("no cache with disk")
                    .isZero();
            assertThat(registry.get("persist.store.failed").gauge().value()).isZero();
            assertThat(registry.get("persist.store.writes").functionCounter().count())
                    .isEqualTo(store.stats().writeCalls());
            FunctionTimer fsync = registry.get("persist.store.fsync").functionTimer();
            assertThat(fsync.count()).isEqualTo(store.stats().syncCalls()).isGreaterThanOrEqualTo(3);
            // Micrometer converts through seconds in a double: equal to the nanosecond, not to the last bit
            assertThat(fsync.totalTime(TimeUnit.NANOSECONDS))
                    .isCloseTo((double) store.stats().syncNanos(), org.assertj.core.api.Assertions.within(1.0))
                    .isPositive();
            store.shrink();
            assertThat(registry.get("persist.store.shrinks").functionCounter().count()).isEqualTo(1);
        }
        assertThat(registry.get("persist.store.log.bytes").gauge().value()).as("closed store").isNaN();

        p.setProperty("store.generation", "g2");
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("metrics"),
                getClass().getClassLoader(), p)) {
            PersistStoreMetrics.of(m).bindTo(second);
            assertThat(second.get("persist.store.generation.clears").functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void aRecordFoundDamagedWhenReadBackIsCounted() throws Exception {
        Path log = dir.resolve("damaged.log");
        try (Store store = Store.open(log, StoreOptions.defaults().diskNamespaces("d"::equals))) {
            PersistMap<String, String> d = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8())
                    .memory(new ConcurrentHashMap<>()).disk(1L << 30));
            d.set("k", "value-to-damage", Durability.WRITE); // written around the front: on disk only
            FileDamage.flip(log, FileDamage.offsetOf(log, "value-to-damage") + 3);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new PersistStoreMetrics(store, Tags.empty()).bindTo(registry);
            assertThat(registry.get("persist.store.reads.damaged").functionCounter().count()).isZero();
            assertThat(d.get("k")).as("a damaged record is a miss").isNull();
            assertThat(registry.get("persist.store.reads.damaged").functionCounter().count()).isEqualTo(1);
        }
    }

    @Test
    void theAsyncBacklogAndItsOverflowsAreMetered() throws Exception {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("async.log").toString());
        p.setProperty("defaults.durability", "async");
        p.setProperty("store.asyncBacklog", "1KB");
        p.setProperty("store.syncInterval", "1h"); // no sync empties the backlog during the test
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("async-metrics"),
                getClass().getClassLoader(), p)) {
            PersistStoreMetrics.of(m).bindTo(registry);
            Cache<Object, Object> c = m.createCache("c", new MutableConfiguration<>());
            c.put("big", "x".repeat(2000)); // waits: the backlog was empty
            c.put("next", "y"); // the backlog is full: written at once
            Store store = m.unwrap(Store.class);
            assertThat(registry.get("persist.store.async.backlog").gauge().value())
                    .isEqualTo(store.stats().asyncBacklogBytes()).isGreaterThan(2000);
            assertThat(registry.get("persist.store.async.overflows").functionCounter().count()).isEqualTo(1);
            ObjectName bean = new ObjectName("dev.persist.jcache:type=Store,path=" + ObjectName.quote(
                    store.path().toString()));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            assertThat(server.getAttribute(bean, "AsyncOverflows")).isEqualTo(1L);
            assertThat(server.getAttribute(bean, "AsyncBacklogBytes")).isEqualTo(store.stats().asyncBacklogBytes());
        }
    }
}
