package dev.persist.cluster;

import dev.persist.kafka.EmbeddedKafka;
import dev.persist.jcache.config.ConfigException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryListener;
import javax.cache.event.CacheEntryRemovedListener;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.management.CacheStatisticsMXBean;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.persist.cluster.InProcessNodes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What one node sees of another's changes, with two nodes (two stores, two managers) in this JVM and the shared
 * broker: replicate and invalidate, the events listeners get for remote changes, statistics, a cache created later
 * catching up, a gap in the topic, a missing topic, and durability replicated.
 */
class ClusterSemanticsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SHARED = "{ books: { keyType: java.lang.String, valueType: java.lang.String, "
            + "statistics: true } }";

    @TempDir
    Path dir;

    private final EmbeddedKafka kafka = SharedKafka.get();

    private String topic(String name) {
        return kafka.createCompactedTopic(name + "-" + System.nanoTime(), 3);
    }

    /** Records every event a listener receives, as "TYPE key value". */
    public static final class Recorder implements CacheEntryCreatedListener<String, String>,
            CacheEntryUpdatedListener<String, String>, CacheEntryRemovedListener<String, String>, Serializable {
        static final List<String> EVENTS = new CopyOnWriteArrayList<>();

        private void record(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            for (CacheEntryEvent<? extends String, ? extends String> e : events) {
                EVENTS.add(e.getEventType() + " " + e.getKey() + " "
                        + (e.getEventType() == javax.cache.event.EventType.REMOVED ? e.getOldValue() : e.getValue()));
            }
        }

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            record(events);
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            record(events);
        }

        @Override
        public void onRemoved(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            record(events);
        }
    }

    private static void listen(Cache<String, String> cache) {
        Recorder.EVENTS.clear();
        cache.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<String, String>(
                FactoryBuilder.factoryOf(Recorder.class), null, true, true));
    }

    @Test
    void replicateCarriesValuesAndRemovalsAndListenersSeeThemAsLocalChanges() throws Exception {
        InProcessNodes nodes = new InProcessNodes(dir, kafka, topic("replicate"));
        try (CacheManager a = nodes.open("a", "replicate", SHARED);
             CacheManager b = nodes.open("b", "replicate", SHARED)) {
            Cache<String, String> ca = a.getCache("books", String.class, String.class);
            Cache<String, String> cb = b.getCache("books", String.class, String.class);
            listen(cb);
            ca.put("k", "v1");
            await("b sees v1", WAIT, () -> "v1".equals(cb.get("k")));
            ca.put("k", "v2");
            await("b sees v2", WAIT, () -> "v2".equals(cb.get("k")));
            ca.remove("k");
            await("b sees the removal", WAIT, () -> !cb.containsKey("k"));
            await("three events", WAIT, () -> Recorder.EVENTS.size() >= 3);
            assertThat(Recorder.EVENTS).containsExactly("CREATED k v1", "UPDATED k v2", "REMOVED k v2");

            // b's statistics count b's operations only: three gets, no puts or removals from a's changes
            CacheStatisticsMXBean stats = cb.unwrap(dev.persist.jcache.PersistCache.class).statistics();
            assertThat(stats.getCachePuts()).isZero();
            assertThat(stats.getCacheRemovals()).isZero();

            // a change of b's own comes back from the topic to b: applied once, no second event
            Recorder.EVENTS.clear();
            cb.put("own", "x");
            await("a sees b's change", WAIT, () -> "x".equals(ca.get("own")));
            Thread.sleep(300);
            assertThat(Recorder.EVENTS).containsExactly("CREATED own x");
        }
    }

    @Test
    void invalidateRemovesTheOtherNodesCopyWithoutAnEvent() throws Exception {
        InProcessNodes nodes = new InProcessNodes(dir, kafka, topic("invalidate"));
        try (CacheManager a = nodes.open("a", "invalidate", SHARED);
             CacheManager b = nodes.open("b", "invalidate", SHARED)) {
            Cache<String, String> ca = a.getCache("books", String.class, String.class);
            Cache<String, String> cb = b.getCache("books", String.class, String.class);
            ca.put("k", "a-old");
            cb.put("k", "old");
            await("b's put invalidates a's copy (the value is not replicated)", WAIT, () -> !ca.containsKey("k"));
            listen(cb);
            ca.put("k", "new");
            await("b's copy is invalidated", WAIT, () -> !cb.containsKey("k"));
            assertThat(ca.get("k")).as("the origin keeps its copy").isEqualTo("new");
            Thread.sleep(300);
            assertThat(Recorder.EVENTS).as("an invalidation is an eviction: no event").isEmpty();
        }
    }

    @Test
    void aCacheCreatedLaterCatchesUpBeforeItServes() throws Exception {
        InProcessNodes nodes = new InProcessNodes(dir, kafka, topic("later"));
        try (CacheManager a = nodes.open("a", "replicate", "");
             CacheManager b = nodes.open("b", "replicate", "")) {
            MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class);
            Cache<String, String> ca = a.createCache("made-in-code", config);
            for (int i = 0; i < 200; i++) {
                ca.put("k" + i, "v" + i);
            }
            ca.remove("k7");
            await("a published them", WAIT, () -> {
                Map<String, String> topicNow = TopicView.read(kafka.bootstrapServers(), nodes.topic())
                        .expected("made-in-code");
                return topicNow.size() == 199 && !topicNow.containsKey("k7");
            });
            // created on b only now: createCache returns once it applied what the topic holds
            Cache<String, String> cb = b.createCache("made-in-code", config);
            assertThat(cb.get("k199")).isEqualTo("v199");
            assertThat(cb.get("k0")).isEqualTo("v0");
            assertThat(cb.containsKey("k7")).isFalse();
        }
    }

    @Test
    void aStoreBehindTheTopicsRetentionIsClearedAndRebuilt() throws Exception {
        String topic = "gap-" + System.nanoTime();
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact,delete")))).all().get(30, TimeUnit.SECONDS);
        }
        InProcessNodes nodes = new InProcessNodes(dir, kafka, topic);
        try (CacheManager a = nodes.open("a", "replicate", SHARED)) {
            Cache<String, String> ca = a.getCache("books", String.class, String.class);
            try (CacheManager b = nodes.open("b", "replicate", SHARED)) {
                ca.put("stale", "1");
                await("b applied it", WAIT, () -> "1".equals(b.getCache("books", String.class, String.class)
                        .get("stale")));
            }
            // while b is closed: a removes the key, then retention removes every change b did not apply
            ca.remove("stale");
            ca.put("fresh", "2");
            long end;
            try (Admin admin = kafka.admin()) {
                TopicPartition tp = new TopicPartition(topic, 0);
                end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
                        .get(30, TimeUnit.SECONDS).get(tp).offset();
                admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(end))).all().get(30, TimeUnit.SECONDS);
            }
            try (CacheManager b = nodes.open("b", "replicate", SHARED)) {
                Cache<String, String> cb = b.getCache("books", String.class, String.class);
                // without the rebuild b would keep "stale": the removal is gone from the topic
                assertThat(cb.containsKey("stale")).isFalse();
                ca.put("after", "3");
                await("b follows again", WAIT, () -> "3".equals(cb.get("after")));
            }
        }
    }

    @Test
    void aMissingTopicIsAnErrorNamingTheKey() {
        InProcessNodes nodes = new InProcessNodes(dir, kafka, "no-such-topic");
        assertThatThrownBy(() -> nodes.open("a", "replicate", SHARED))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cluster.kafka.topic:")
                .hasMessageContaining("does not exist");
    }

    @Test
    void replicatedReturnsOnceKafkaHasTheChange() throws Exception {
        String topic = topic("replicated");
        InProcessNodes nodes = new InProcessNodes(dir, kafka, topic);
        try (CacheManager a = nodes.open("a", "replicate", "{ books: { keyType: java.lang.String, "
                + "valueType: java.lang.String, durability: replicated } }")) {
            Cache<String, String> ca = a.getCache("books", String.class, String.class);
            for (int i = 0; i < 20; i++) {
                ca.put("k" + i, "v" + i);
                // read by a consumer of its own, at once: the put returned after Kafka's acknowledgement
                assertThat(TopicView.read(kafka.bootstrapServers(), topic).expected("books"))
                        .containsEntry("k" + i, "v" + i);
            }
        }
    }
}
