package dev.persist.jcache;

import dev.persist.testkit.RegisterHistory;
import dev.persist.testkit.RegisterHistory.Kind;
import dev.persist.testkit.RegisterHistory.Op;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent put, getAndPut, remove, getAndRemove, replace, invoke and get on a few keys of a JCache cache, recorded
 * and checked for linearizability key by key (operations that return the old value are read-modify-writes), under a
 * durable tier and in memory.
 */
class CacheLinearizabilityTest {
    @TempDir
    Path dir;

    private static final int THREADS = 4;
    private static final int KEYS = 3;
    private static final int OPS_PER_THREAD = 12;
    private static final int ROUNDS = 40;

    @ParameterizedTest
    @ValueSource(strings = {"write", "memory"})
    void cacheOperationsAreLinearizablePerKey(String tier) throws Exception {
        Properties p = new Properties();
        p.setProperty("store.path", dir.resolve("lin-" + tier + ".log").toString());
        p.setProperty("defaults.durability", tier);
        Random seeds = new Random(1125);
        AtomicInteger unique = new AtomicInteger(1);
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("lin-" + tier), null, p)) {
            for (int round = 0; round < ROUNDS; round++) {
                Cache<String, Integer> cache = m.createCache("r" + round, new MutableConfiguration<String, Integer>()
                        .setTypes(String.class, Integer.class));
                Map<String, RegisterHistory> histories = RegisterHistory.record(THREADS, KEYS, OPS_PER_THREAD, seeds,
                        (rnd, key, history) -> record(cache, history, key, rnd.nextInt(12), unique));
                for (Map.Entry<String, RegisterHistory> e : histories.entrySet()) {
                    assertThat(e.getValue().linearizable(null))
                            .as("%s round %d key %s: no linearization of %d operations", tier, round, e.getKey(),
                                    e.getValue().size())
                            .isTrue();
                }
                m.destroyCache("r" + round);
            }
        }
    }

    private static void record(Cache<String, Integer> cache, RegisterHistory h, String key, int dice,
                               AtomicInteger unique) {
        long t0 = System.nanoTime();
        int v = unique.getAndIncrement();
        switch (dice) {
            case 0, 1 -> {
                cache.put(key, v);
                h.add(new Op(Kind.SET, null, v, t0, System.nanoTime()));
            }
            case 2 -> {
                Integer old = cache.getAndPut(key, v);
                h.add(new Op(Kind.UPDATE, old, v, t0, System.nanoTime()));
            }
            case 3 -> {
                cache.remove(key);
                h.add(new Op(Kind.DELETE, null, null, t0, System.nanoTime()));
            }
            case 4 -> {
                Integer old = cache.getAndRemove(key);
                h.add(new Op(Kind.UPDATE, old, null, t0, System.nanoTime()));
            }
            case 5 -> {
                // replace: a read-modify-write that writes only if present
                boolean replaced = cache.replace(key, v);
                long t1 = System.nanoTime();
                // replaced: it saw some value (unknown) and wrote v; not replaced: it saw absent, wrote nothing
                if (!replaced) {
                    h.add(new Op(Kind.GET, null, null, t0, t1));
                } else {
                    h.add(new Op(Kind.SET, null, v, t0, t1)); // weaker: any present value may precede it
                }
            }
            case 6, 7 -> {
                Integer[] seen = new Integer[1];
                cache.invoke(key, (entry, args) -> {
                    seen[0] = entry.exists() ? entry.getValue() : null;
                    entry.setValue(v);
                    return null;
                });
                h.add(new Op(Kind.UPDATE, seen[0], v, t0, System.nanoTime()));
            }
            default -> {
                Integer got = cache.get(key);
                h.add(new Op(Kind.GET, got, null, t0, System.nanoTime()));
            }
        }
    }
}
