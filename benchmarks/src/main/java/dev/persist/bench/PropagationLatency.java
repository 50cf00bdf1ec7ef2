package dev.persist.bench;

import dev.persist.kafka.EmbeddedKafka;
import com.hazelcast.cache.HazelcastCachingProvider;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryUpdatedListener;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Propagation latency between two nodes on this machine (issue 15): node A puts a key, node B's JCache listener
 * receives it; the time from the start of A's put to B's event, per put, for N puts one after another (each waits
 * until B saw the previous one, so no queue builds up). Also A's put latency and B's get latency (B reading keys A
 * wrote). Both nodes live in this JVM so that one clock times both ends.
 *
 * <p>Compared: this provider with two nodes (two stores) and a Kafka broker (KRaft, in this JVM), mode
 * {@code replicate}, durability {@code write} and {@code replicated}; and Hazelcast 5 with two embedded members
 * (TCP on 127.0.0.1) through its JCache API, where a cache is partitioned: a key lives on one member (and its
 * backup on the other), so B's get of a key A owns is a network round trip, and B's listener hears of A's put from
 * the key's owner.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.persist.bench.PropagationLatency [puts]} (default 5,000).
 */
public final class PropagationLatency {
    /** Arrival time (nanoTime) at B, by key. */
    static final Map<String, Long> ARRIVED = new ConcurrentHashMap<>();

    private PropagationLatency() {
    }

    /** B's listener: records when each key's event arrived. */
    public static final class Arrivals implements CacheEntryCreatedListener<String, String>,
            CacheEntryUpdatedListener<String, String>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            long now = System.nanoTime();
            events.forEach(e -> ARRIVED.putIfAbsent(e.getKey(), now));
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ? extends String>> events) {
            onCreated(events);
        }
    }

    public static void main(String[] args) throws Exception {
        int puts = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        Path dir = BenchSupport.freshDir("propagation");
        try (EmbeddedKafka broker = EmbeddedKafka.start(dir.resolve("broker"))) {
            for (String durability : new String[] {"write", "replicated"}) {
                String topic = broker.createCompactedTopic("latency-" + durability, 3);
                try (CacheManager a = ClusterNodes.open(dir.resolve(durability), "a", broker.bootstrapServers(),
                        topic, "replicate", durability);
                     CacheManager b = ClusterNodes.open(dir.resolve(durability), "b", broker.bootstrapServers(),
                             topic, "replicate", durability)) {
                    run("persist-jcache, replicate, " + durability, a.getCache("bench", String.class, String.class),
                            b.getCache("bench", String.class, String.class), puts);
                }
            }
        }
        HazelcastInstance h1 = Hazelcast.newHazelcastInstance(hazelcast());
        HazelcastInstance h2 = Hazelcast.newHazelcastInstance(hazelcast());
        try {
            Cache<String, String> ca = cache(h1, true);
            Cache<String, String> cb = cache(h2, false);
            run("Hazelcast 5.7 JCache, 2 embedded members", ca, cb, puts);
        } finally {
            h2.shutdown();
            h1.shutdown();
        }
        BenchSupport.deleteRecursively(dir);
    }

    private static Config hazelcast() {
        Config c = new Config();
        c.setClusterName("propagation-" + ProcessHandle.current().pid());
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "none");
        c.getNetworkConfig().setPort(5801).setPortAutoIncrement(true);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:5801").addMember("127.0.0.1:5802");
        return c;
    }

    private static Cache<String, String> cache(HazelcastInstance h, boolean create) {
        CacheManager m = Caching.getCachingProvider(HazelcastCachingProvider.MEMBER_CACHING_PROVIDER,
                PropagationLatency.class.getClassLoader()).getCacheManager(URI.create("hz-bench"), // one URI: one cache
                PropagationLatency.class.getClassLoader(), HazelcastCachingProvider.propertiesByInstanceItself(h));
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class);
        if (create) {
            return m.createCache("bench", config);
        }
        Cache<String, String> c = m.getCache("bench", String.class, String.class);
        return c != null ? c : m.createCache("bench", config);
    }

    private static void run(String name, Cache<String, String> a, Cache<String, String> b, int puts)
            throws InterruptedException {
        ARRIVED.clear();
        b.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<String, String>(
                FactoryBuilder.factoryOf(Arrivals.class), null, false, false));
        String value = "v".repeat(100);
        int warmup = Math.min(1000, puts / 5);
        long[] put = new long[puts];
        long[] propagation = new long[puts];
        long[] get = new long[puts];
        for (int i = -warmup; i < puts; i++) {
            String key = (i < 0 ? "warm-" : "key-") + i;
            long start = System.nanoTime();
            a.put(key, value);
            long returned = System.nanoTime();
            Long at;
            long deadline = start + TimeUnit.SECONDS.toNanos(30);
            while ((at = ARRIVED.get(key)) == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + ": B never saw " + key);
                }
                Thread.onSpinWait();
            }
            long g0 = System.nanoTime();
            String read = b.get(key);
            long g1 = System.nanoTime();
            if (!value.equals(read)) {
                throw new IllegalStateException(name + ": B read " + read + " after its event for " + key);
            }
            if (i >= 0) {
                put[i] = returned - start;
                propagation[i] = at - start;
                get[i] = g1 - g0;
            }
        }
        System.out.printf("%-45s put p50 %8s p99 %8s | A->B p50 %8s p99 %8s p99.9 %8s max %8s | B get p50 %8s p99 %8s%n",
                name, us(put, 0.5), us(put, 0.99), us(propagation, 0.5), us(propagation, 0.99),
                us(propagation, 0.999), us(propagation, 1.0), us(get, 0.5), us(get, 0.99));
    }

    private static String us(long[] nanos, double q) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        long v = s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
        return String.format("%.0fus", v / 1000.0);
    }
}
