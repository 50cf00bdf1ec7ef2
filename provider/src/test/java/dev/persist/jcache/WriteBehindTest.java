package dev.persist.jcache;

import dev.persist.jcache.management.MBeans;
import dev.persist.jcache.management.WriteBehindMXBean;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.processor.EntryProcessor;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Write-behind to a cache's writer: semantics, coalescing, order, failures, restart, close, stats, config. */
class WriteBehindTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static String yaml(String tier, String writeBehind) {
        return """
                caches:
                  orders:
                    durability: %s
                    keyType: java.lang.String
                    valueType: java.lang.String
                    writer: dev.persist.jcache.RecordingWriter
                    writeBehind: %s
                """.formatted(tier, writeBehind);
    }

    private Managers managers(String tier, String writeBehind) {
        return new Managers(dir, "wb.yaml", yaml(tier, writeBehind));
    }

    private static Cache<String, String> orders(CacheManager m) {
        return m.getCache("orders", String.class, String.class);
    }

    private static PersistCache<String, String> persist(Cache<String, String> c) {
        @SuppressWarnings("unchecked")
        PersistCache<String, String> p = c.unwrap(PersistCache.class);
        return p;
    }

    private static void flush(Cache<String, String> c) throws InterruptedException {
        assertThat(persist(c).flushWriteBehind(WAIT)).as("everything delivered").isTrue();
    }

    @Test
    void operationsReturnBeforeTheWriterIsCalledAndItGetsEachKeysLatestState() throws Exception {
        try (CacheManager m = managers("write", "{ delay: 1h, batchSize: 500 }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            c.put("a", "1");
            c.putAll(Map.of("b", "1", "c", "1"));
            c.putIfAbsent("d", "1");
            c.replace("a", "2");
            c.getAndPut("b", "2");
            c.invoke("e", (EntryProcessor<String, String, Void>) (entry, args) -> {
                entry.setValue("1");
                return null;
            });
            c.remove("c");
            c.removeAll(Set.of("d"));
            c.remove("never-there");
            assertThat(w.received()).as("nothing delivered before the delay").isZero();
            assertThat(w.singleCalls).hasValue(0);
            assertThat(c.get("a")).isEqualTo("2");
            assertThat(persist(c).writeBehind().getPendingCount()).isEqualTo(6);
            flush(c);
            assertThat(w.received).containsOnlyKeys("a", "b", "c", "d", "e", "never-there");
            assertThat(w.received.get("a")).containsExactly("2");
            assertThat(w.received.get("b")).containsExactly("2");
            assertThat(w.received.get("c")).containsExactly("-");
            assertThat(w.received.get("d")).containsExactly("-");
            assertThat(w.received.get("e")).containsExactly("1");
            assertThat(w.received.get("never-there")).containsExactly("-");
            assertThat(w.singleCalls).as("only writeAll and deleteAll").hasValue(0);
            assertThat(persist(c).writeBehind().getDelivered()).isEqualTo(6);
            assertThat(persist(c).writeBehind().getPendingCount()).isZero();
        }
    }

    @Test
    void updatesOfOneKeyCoalesceAndBatchesKeepTheirSize() throws Exception {
        try (CacheManager m = managers("write", "{ delay: 1h, batchSize: 7 }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            for (int i = 0; i < 1000; i++) {
                c.put("k" + (i % 20), String.valueOf(i));
            }
            flush(c);
            assertThat(w.received()).as("one delivery per key for 1,000 updates").isEqualTo(20);
            for (int k = 0; k < 20; k++) {
                assertThat(w.received.get("k" + k)).containsExactly(String.valueOf(980 + k));
            }
            assertThat(w.largestBatch).as("batchSize").hasValue(7);
            assertThat(w.writeAllCalls).hasValue(3);
        }
    }

    @Test
    void putThenRemoveInsideOneDelayDeliversTheDeleteOnly() throws Exception {
        try (CacheManager m = managers("write", "{ delay: 1h }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            c.put("x", "1");
            c.remove("x");
            flush(c);
            assertThat(w.received.get("x")).containsExactly("-");
            assertThat(w.writeAllCalls).hasValue(0);
        }
    }

    @Test
    void aKeyChangedWhileItsBatchIsDeliveredStaysPendingAndItsNewValueFollows() throws Exception {
        try (CacheManager m = managers("write", "{ delay: 10ms }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            w.slowMillis = 300;
            c.put("k", "old");
            // wait until the deliverer has taken "old" and is inside the writer
            long end = System.nanoTime() + WAIT.toNanos();
            while (w.writeAllCalls.get() == 0 && System.nanoTime() < end) {
                Thread.sleep(2);
            }
            c.put("k", "new");
            w.slowMillis = 0;
            flush(c);
            assertThat(w.received.get("k")).containsExactly("old", "new");
        }
    }

    @Test
    void concurrentUpdatesReachTheWriterInPerKeyOrderEndingWithTheLast() throws Exception {
        try (CacheManager m = managers("write", "{ delay: 5ms, batchSize: 16 }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            w.slowMillis = 2;
            int threads = 4;
            int perThread = 2000;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 1; i <= perThread; i++) {
                        // keys shared by all threads: each value names its thread and its number
                        String key = "k" + (i % 8);
                        c.invoke(key, (EntryProcessor<String, String, Void>) (e, a) -> {
                            int n = e.exists() ? Integer.parseInt(e.getValue()) : 0;
                            e.setValue(String.valueOf(n + 1));
                            return null;
                        });
                    }
                }, "updater-" + id);
                ts.add(th);
                th.start();
            }
            go.countDown();
            for (Thread th : ts) {
                th.join();
            }
            flush(c);
            int total = 0;
            for (int k = 0; k < 8; k++) {
                List<String> got = new ArrayList<>(w.received.get("k" + k));
                List<Integer> numbers = got.stream().map(Integer::parseInt).toList();
                assertThat(numbers).as("k%d never goes back", k).isSorted();
                assertThat(numbers.get(numbers.size() - 1)).isEqualTo(Integer.parseInt(c.get("k" + k)));
                total += Integer.parseInt(c.get("k" + k));
            }
            assertThat(total).isEqualTo(threads * perThread);
        }
    }

    @Test
    void aFailingWriterIsRetriedWithBackoffLoggedOncePerEpisodeAndTheCacheKeepsServing() throws Exception {
        try (CacheManager m = managers("write", "{ delay: 10ms, retry: { initial: 20ms, max: 40ms } }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            w.failNextCalls = 5;
            c.put("a", "1");
            c.put("b", "1");
            assertThat(c.get("a")).isEqualTo("1");
            c.put("a", "2");
            flush(c);
            WriteBehindMXBean s = persist(c).writeBehind();
            assertThat(s.getRetries()).isGreaterThanOrEqualTo(5);
            assertThat(s.getLastError()).contains("database down");
            assertThat(s.getLastErrorTime()).isNotNull();
            assertThat(w.last("a")).isEqualTo("2");
            assertThat(w.last("b")).isEqualTo("1");
            // logged once, when the episode began
            assertThat(s.getFailureEpisodes()).as("one episode for all those retries").isEqualTo(1);
        }
    }

    @Test
    void aKeyTheWriterLeavesInTheBatchIsRetriedAloneAndNeverHoldsTheOthersBack() throws Exception {
        try (CacheManager m = managers("write", "{ delay: 10ms, retry: { initial: 10ms, max: 20ms } }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            w.poison.add("bad");
            c.put("bad", "1");
            for (int i = 0; i < 10; i++) {
                c.put("good" + i, "1");
            }
            assertThat(persist(c).flushWriteBehind(Duration.ofMillis(500))).isFalse();
            for (int i = 0; i < 10; i++) {
                assertThat(w.last("good" + i)).isEqualTo("1");
            }
            // later keys too, while "bad" keeps failing
            c.put("later", "2");
            long end = System.nanoTime() + WAIT.toNanos();
            while (w.last("later") == null && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertThat(w.last("later")).isEqualTo("2");
            WriteBehindMXBean s = persist(c).writeBehind();
            assertThat(s.getPendingCount()).isEqualTo(1);
            assertThat(s.getFailingCount()).isEqualTo(1);
            assertThat(s.getGivenUp()).isZero();
            assertThat(w.received).doesNotContainKey("bad");
            w.poison.clear();
            flush(c);
            assertThat(w.last("bad")).isEqualTo("1");
        }
    }

    @Test
    void aWriterThatFailsAWholeBatchForOneKeyStillGetsTheOthersOneByOne() throws Exception {
        // no round before the flush: the eleven keys are first delivered together, in one failing batch
        try (CacheManager m = managers("write", "{ delay: 1h, retry: { initial: 10ms, max: 20ms }, "
                + "flushOnClose: 100ms }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            w.poison.add("bad");
            w.poisonFailsBatch = true;
            Map<String, String> batch = new java.util.HashMap<>();
            batch.put("bad", "1");
            for (int i = 0; i < 10; i++) {
                batch.put("good" + i, "1");
            }
            c.putAll(batch); // one batch with the poison key in it
            assertThat(persist(c).flushWriteBehind(Duration.ofSeconds(2))).isFalse();
            List<Integer> sizes = new ArrayList<>(w.writeAllSizes);
            assertThat(sizes.get(0)).as("the first batch, failed whole").isEqualTo(11);
            assertThat(sizes.subList(1, sizes.size())).as("retries, each key alone").isNotEmpty().containsOnly(1);
            for (int i = 0; i < 10; i++) {
                assertThat(w.last("good" + i)).as("good%d, retried alone", i).isEqualTo("1");
            }
            assertThat(persist(c).writeBehind().getPendingCount()).isEqualTo(1);
        }
    }

    @Test
    void anAsyncChangeIsInTheLogBeforeTheWriterReceivesIt() throws Exception {
        Managers ms = managers("async", "{ delay: 10ms }");
        try (CacheManager m = ms.openWith("store.syncInterval", "1h")) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            c.put("k", "1");
            assertThat(c.unwrap(dev.persist.store.PersistMap.class).pendingAsync()).isEqualTo(1);
            flush(c);
            assertThat(w.last("k")).isEqualTo("1");
            // the deliverer synced the log first (the value and what it owed: two records; the acknowledgement is
            // an ASYNC change still pending): a crash now cannot take back from the cache what the writer has
            assertThat(m.unwrap(Store.class).stats().logRecords()).isEqualTo(2);
        }
    }

    @Test
    void aChangeDuringTheFirstDeliveryAfterARestartIsNotMistakenForTheRecoveredOne() throws Exception {
        Managers ms = managers("write", "{ delay: 10ms, retry: { initial: 1h, max: 1h }, flushOnClose: 50ms }");
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter.of(c).failNextCalls = Integer.MAX_VALUE;
            c.put("k", "old");
        }
        RecordingWriter.nextSlowMillis = 300;
        try (CacheManager m = ms.open()) {
            RecordingWriter.nextSlowMillis = 0;
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            long end = System.nanoTime() + WAIT.toNanos();
            while (w.writeAllCalls.get() == 0 && System.nanoTime() < end) {
                Thread.sleep(2); // the recovered "old" is being delivered
            }
            c.put("k", "new");
            w.slowMillis = 0;
            flush(c);
            assertThat(w.received.get("k")).containsExactly("old", "new");
        } finally {
            RecordingWriter.nextSlowMillis = 0;
        }
    }

    @Test
    void giveUpAfterDropsAKeyThatKeepsFailingCountedAndOnlyThatKey() throws Exception {
        try (CacheManager m = managers("write",
                "{ delay: 10ms, retry: { initial: 10ms, max: 20ms, giveUpAfter: 200ms } }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            w.poison.add("bad");
            c.put("bad", "1");
            c.put("good", "1");
            flush(c);
            WriteBehindMXBean s = persist(c).writeBehind();
            assertThat(s.getGivenUp()).isEqualTo(1);
            assertThat(s.getPendingCount()).isZero();
            assertThat(w.received).doesNotContainKey("bad");
            assertThat(w.last("good")).isEqualTo("1");
            assertThat(c.get("bad")).as("the cache keeps the value").isEqualTo("1");
        }
    }

    @Test
    void withoutGiveUpAFailingKeyIsNeverDropped() throws Exception {
        try (CacheManager m = managers("write", "{ delay: 10ms, retry: { initial: 10ms, max: 20ms }, "
                + "flushOnClose: 100ms }").open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter.of(c).poison.add("bad");
            c.put("bad", "1");
            assertThat(persist(c).flushWriteBehind(Duration.ofMillis(600))).isFalse();
            assertThat(persist(c).writeBehind().getPendingCount()).isEqualTo(1);
            assertThat(persist(c).writeBehind().getRetries()).isGreaterThan(3);
            assertThat(persist(c).writeBehind().getOldestPendingAgeMillis()).isGreaterThanOrEqualTo(500);
        }
    }

    @Test
    void closeFlushesWhatIsPending() throws Exception {
        Managers ms = managers("write", "{ delay: 1h, flushOnClose: 10s }");
        RecordingWriter w;
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            w = RecordingWriter.of(c);
            for (int i = 0; i < 50; i++) {
                c.put("k" + i, "v" + i);
            }
            assertThat(w.received()).isZero();
        }
        assertThat(w.received()).isEqualTo(50);
        try (CacheManager m = ms.open()) {
            assertThat(persist(orders(m)).writeBehind().getPendingCount()).as("nothing left in the log").isZero();
        }
    }

    @Test
    void whatCloseCannotDeliverStaysInTheLogAndIsDeliveredAfterTheRestartWithoutTouchingTheCache() throws Exception {
        Managers ms = managers("write", "{ delay: 10ms, retry: { initial: 1h, max: 1h }, flushOnClose: 100ms }");
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter.of(c).failNextCalls = Integer.MAX_VALUE;
            c.put("a", "1");
            c.remove("b");
            c.put("c", "3");
        }
        try (CacheManager m = ms.open()) {
            // the cache is declared in the file: it opens with the manager and drains on its own
            PersistCache<String, String> c = persist(orders(m));
            RecordingWriter w = RecordingWriter.of(orders(m));
            long end = System.nanoTime() + WAIT.toNanos();
            while (w.received() < 3 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertThat(w.received.get("a")).containsExactly("1");
            assertThat(w.received.get("b")).containsExactly("-");
            assertThat(w.received.get("c")).containsExactly("3");
            assertThat(c.writeBehind().getPendingCount()).isZero();
        }
    }

    @Test
    void evictionAndExpiryAreNotWriterDeletesAndAPendingPutSurvivesThem() throws Exception {
        Managers ms = new Managers(dir, "wb.yaml", """
                caches:
                  orders:
                    keyType: java.lang.String
                    valueType: java.lang.String
                    maximumSize: 5
                    expiry: { afterWrite: 100ms }
                    writer: dev.persist.jcache.RecordingWriter
                    writeBehind: { delay: 1h }
                """);
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            for (int i = 0; i < 100; i++) {
                c.put("k" + i, "v" + i);
            }
            Thread.sleep(250);
            for (int i = 0; i < 100; i++) {
                assertThat(c.get("k" + i)).isNull(); // expired (or evicted): dropped on the way
            }
            flush(c);
            assertThat(w.received()).isEqualTo(100);
            for (int i = 0; i < 100; i++) {
                assertThat(w.received.get("k" + i)).containsExactly("v" + i);
            }
            assertThat(w.deleteAllCalls).hasValue(0);
        }
    }

    @Test
    void aShrinkKeepsWhatIsPending() throws Exception {
        Managers ms = managers("write", "{ delay: 1h, flushOnClose: 50ms }");
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter.of(c).failNextCalls = Integer.MAX_VALUE;
            for (int i = 0; i < 20; i++) {
                c.put("k" + i, "v" + i);
                c.put("k" + i, "w" + i);
            }
            Store store = m.unwrap(Store.class);
            store.shrink();
            assertThat(store.stats().logRecords()).isEqualTo(40); // 20 entries + 20 pending keys
        }
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            flush(c);
            for (int i = 0; i < 20; i++) {
                assertThat(w.received.get("k" + i)).containsExactly("w" + i);
            }
        }
    }

    @Test
    void asyncTierPendingStateIsWrittenWithTheValueAtTheSync() throws Exception {
        Managers ms = managers("async", "{ delay: 1h, flushOnClose: 50ms }");
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter.of(c).failNextCalls = Integer.MAX_VALUE;
            for (int i = 0; i < 100; i++) {
                c.put("k", String.valueOf(i));
            }
            m.unwrap(Store.class).fsyncAll();
            // one value record and one pending record per sync for 100 updates (the background syncer may have
            // run once meanwhile)
            assertThat(m.unwrap(Store.class).stats().logRecords()).isBetween(2L, 4L);
        }
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            flush(c);
            assertThat(RecordingWriter.of(c).received.get("k")).containsExactly("99");
        }
    }

    @Test
    void aWriterAndLoaderFromTheFileAloneGiveReadThroughAndWriteThrough() throws Exception {
        Managers ms = new Managers(dir, "wt.yaml", """
                caches:
                  orders:
                    keyType: java.lang.String
                    valueType: java.lang.String
                    writer: dev.persist.jcache.RecordingWriter
                    loader: dev.persist.jcache.RecordingLoader
                """);
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            assertThat(c.get("x")).isEqualTo("loaded:x");
            c.put("y", "1");
            assertThat(RecordingWriter.of(c).received.get("y")).as("write-through: at once").containsExactly("1");
            assertThat(persist(c).writeBehind()).isNull();
        }
    }

    @Test
    void aWriterFromCodeStaysWriteThroughUnlessWriteBehindIsConfiguredForThatCache() throws Exception {
        RecordingWriter w = new RecordingWriter();
        MutableConfiguration<String, String> config = new MutableConfiguration<String, String>()
                .setTypes(String.class, String.class)
                .setCacheWriterFactory(new SingletonWriterFactory(w))
                .setWriteThrough(true);
        Managers ms = new Managers(dir, null);
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = m.createCache("coded", config);
            c.put("k", "1");
            assertThat(w.received.get("k")).as("write-through: at once").containsExactly("1");
        }
        RecordingWriter w2 = new RecordingWriter();
        config.setCacheWriterFactory(new SingletonWriterFactory(w2));
        // writeBehind without a writer in the configuration: the cache waits for the application's createCache
        try (CacheManager m = ms.openWith("caches.coded.writeBehind.delay", "1h")) {
            assertThat(m.getCache("coded")).as("not created when the manager opens").isNull();
            Cache<String, String> c = m.createCache("coded", config);
            c.put("k", "2");
            assertThat(w2.received()).as("write-behind: not yet").isZero();
            flush(c);
            assertThat(w2.received.get("k")).containsExactly("2");
            assertThat(w.received.get("k")).containsExactly("1");
        }
    }

    @Test
    void aCacheWithWriteBehindButNoWriterAtAllIsRefusedNamingTheSetting() throws Exception {
        Managers ms = new Managers(dir, null);
        try (CacheManager m = ms.openWith("caches.coded.writeBehind.delay", "1h")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.createCache("coded",
                            new MutableConfiguration<String, String>().setTypes(String.class, String.class)))
                    .isInstanceOf(javax.cache.CacheException.class)
                    .hasMessageContaining("caches.coded.writer");
            // the failed creation left nothing registered: the name can be created again
            assertThat(m.getCache("coded")).isNull();
        }
    }

    @Test
    void writeBehindStatsAreAnMBeanWhileTheCacheIsOpen() throws Exception {
        ObjectName name;
        try (CacheManager m = managers("write", "{ delay: 1h }").open()) {
            Cache<String, String> c = orders(m);
            c.put("a", "1");
            name = MBeans.writeBehindName(m.getURI(), "orders");
            var server = ManagementFactory.getPlatformMBeanServer();
            assertThat(server.isRegistered(name)).isTrue();
            assertThat(server.getAttribute(name, "PendingCount")).isEqualTo(1L);
            assertThat((Long) server.getAttribute(name, "OldestPendingAgeMillis")).isGreaterThanOrEqualTo(0L);
            assertThat(server.getAttribute(name, "Delivered")).isEqualTo(0L);
            assertThat(server.getAttribute(name, "LastError")).isNull();
        }
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name)).isFalse();
    }

    @Test
    void destroyingACacheDeliversWhatItCanThenDropsItsPendingState() throws Exception {
        Managers ms = managers("write", "{ delay: 1h, flushOnClose: 5s }");
        try (CacheManager m = ms.open()) {
            Cache<String, String> c = orders(m);
            RecordingWriter w = RecordingWriter.of(c);
            c.put("a", "1");
            m.destroyCache("orders");
            assertThat(w.received.get("a")).containsExactly("1");
            assertThat(m.unwrap(Store.class).orphanNamespaces()).isEmpty();
        }
    }

    /** A factory of one given writer (a test's own instance), as code would configure it. */
    public static final class SingletonWriterFactory implements javax.cache.configuration.Factory<RecordingWriter> {
        private final transient RecordingWriter writer;

        SingletonWriterFactory(RecordingWriter writer) {
            this.writer = writer;
        }

        @Override
        public RecordingWriter create() {
            return writer;
        }
    }
}
