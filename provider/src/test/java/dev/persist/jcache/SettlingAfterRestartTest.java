package dev.persist.jcache;

import dev.persist.store.Codecs;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.event.CacheEntryCreatedListener;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.CacheEntryListenerException;
import javax.cache.event.CacheEntryUpdatedListener;
import javax.cache.processor.EntryProcessor;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entries read back from the log start unsettled (bytes, not yet decoded) and are settled by a background pass or by
 * the first read that meets them; values that no longer decode are dropped then, and every operation sees them as
 * absent.
 */
class SettlingAfterRestartTest {
    @TempDir
    Path dir;

    private final HeldTasks held = new HeldTasks();

    /** Deeply immutable: held as the object once settled. */
    record Book(String title, int pages) implements Serializable {
    }

    /** Not deeply immutable (a list): held as its bytes, each read a copy. */
    record Shelf(List<String> titles) implements Serializable {
    }

    /**
     * A deeply immutable record whose decoding can be held at a gate: the first construction after {@link #GATE} is
     * armed waits until the gate opens (records are deserialized through their canonical constructor).
     */
    record Slow(String v) implements Serializable {
        static final AtomicReference<Gate> GATE = new AtomicReference<>();
        static final AtomicInteger CONSTRUCTED = new AtomicInteger();

        Slow {
            CONSTRUCTED.incrementAndGet();
            Gate g = GATE.getAndSet(null);
            if (g != null) {
                g.entered.countDown();
                try {
                    g.open.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);
    }

    /** Holds the settling passes of new caches until released. */
    static final class HeldTasks implements Executor {
        private final List<Runnable> tasks = new CopyOnWriteArrayList<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        /** Starts the held passes, each on a thread of its own. */
        void release() {
            for (Runnable t : tasks) {
                Thread thread = new Thread(t, "test-settler");
                thread.setDaemon(true);
                thread.start();
            }
            tasks.clear();
        }
    }

    /** Collects the WARNING (and worse) messages of a logger while open. */
    static final class Warnings implements AutoCloseable {
        final List<String> messages = new CopyOnWriteArrayList<>();
        private final Logger logger;
        private final Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    messages.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };

        Warnings(Class<?> of) {
            logger = Logger.getLogger(of.getName());
            logger.addHandler(handler);
        }

        @Override
        public void close() {
            logger.removeHandler(handler);
        }
    }

    /** Records CREATED and UPDATED events (synchronous listener). */
    public static final class Recorder implements CacheEntryCreatedListener<String, Object>,
            CacheEntryUpdatedListener<String, Object>, Serializable {
        static final List<String> EVENTS = new CopyOnWriteArrayList<>();

        @Override
        public void onCreated(Iterable<CacheEntryEvent<? extends String, ?>> events)
                throws CacheEntryListenerException {
            events.forEach(e -> EVENTS.add("CREATED " + e.getKey()));
        }

        @Override
        public void onUpdated(Iterable<CacheEntryEvent<? extends String, ?>> events)
                throws CacheEntryListenerException {
            events.forEach(e -> EVENTS.add("UPDATED " + e.getKey()));
        }
    }

    @BeforeEach
    void holdSettling() {
        Slow.GATE.set(null);
        Recorder.EVENTS.clear();
    }

    @AfterEach
    void restoreSettling() {
        held.release();
        Gate g = Slow.GATE.getAndSet(null);
        if (g != null) {
            g.open.countDown();
        }
    }

    /** A manager of {@code managers} whose store holds its settling passes back until {@code held} is released. */
    private CacheManager holding(Managers managers) {
        return managers.openWith(PersistCacheManager.SETTLING_EXECUTOR_PROPERTY, held);
    }

    /** Typed caches: Java serialization reads and writes the declared value type. */
    private static <V> MutableConfiguration<String, V> typed(Class<V> valueType) {
        return new MutableConfiguration<String, V>().setTypes(String.class, valueType);
    }

    private <V> Managers writeEntries(String cache, Class<V> type, Map<String, V> entries, Set<String> undecodable)
            throws Exception {
        Managers managers = new Managers(dir, "write");
        try (CacheManager m = managers.open()) {
            m.createCache(cache, typed(type)).putAll(entries);
        }
        if (!undecodable.isEmpty()) {
            try (Store store = Store.open(dir.resolve("cache.log"))) {
                // as an older version of the application would have written them
                PersistMap<String, byte[]> raw = store.map(cache, Codecs.utf8(), Codecs.raw());
                for (String k : undecodable) {
                    raw.set(k, CodecsTest.envelopeOfMissingClass(), Durability.FSYNC);
                }
                raw.close();
            }
        }
        return managers;
    }

    @SuppressWarnings("unchecked")
    @Test
    void everyReadBeforeSettlingSeesAnUndecodableValueAsAbsent() throws Exception {
        List<String> stale = List.of("get", "containsKey", "getAll", "invoke", "getAndPut", "replace",
                "putIfAbsent", "getAndRemove", "remove", "iterator");
        Managers managers = writeEntries("c", Book.class, Map.of("book", new Book("t", 1), "other", new Book("u", 2)),
                new HashSet<>(stale));
        try (Warnings storeLog = new Warnings(Store.class); CacheManager m = holding(managers)) {
            Cache<String, Book> c = m.createCache("c", typed(Book.class).addCacheEntryListenerConfiguration(
                    new MutableCacheEntryListenerConfiguration<>(FactoryBuilder.factoryOf(Recorder.class), null,
                            true, true)));
            PersistCache<String, Book> pc = c.unwrap(PersistCache.class);
            Store store = m.unwrap(Store.class);
            assertThat(pc.awaitSettled(0, TimeUnit.MILLISECONDS)).as("settling is held back").isFalse();
            assertThat(pc.persistMap().size()).isEqualTo(2 + stale.size());
            assertThat(store.stats().undecodableRecords()).isZero();

            assertThat(c.get("get")).isNull();
            assertThat(c.containsKey("containsKey")).isFalse();
            assertThat(c.getAll(Set.of("getAll", "book"))).containsOnlyKeys("book");
            assertThat(c.invoke("invoke", (EntryProcessor<String, Book, Boolean>) (e, a) -> e.exists())).isFalse();
            assertThat(c.getAndPut("getAndPut", new Book("new", 3))).isNull();
            assertThat(c.replace("replace", new Book("x", 4))).isFalse();
            assertThat(c.putIfAbsent("putIfAbsent", new Book("x", 5))).isTrue();
            assertThat(c.getAndRemove("getAndRemove")).isNull();
            assertThat(c.remove("remove")).isFalse();
            assertThat(store.stats().undecodableRecords()).isEqualTo(stale.size() - 1);
            Set<String> keys = new HashSet<>();
            c.forEach(e -> keys.add(e.getKey()));
            assertThat(keys).containsExactlyInAnyOrder("book", "other", "getAndPut", "putIfAbsent");
            assertThat(Recorder.EVENTS).containsExactly("CREATED getAndPut", "CREATED putIfAbsent");
            assertThat(store.stats().undecodableRecords()).isEqualTo(stale.size());
            assertThat(pc.persistMap().size()).isEqualTo(4);

            held.release();
            assertThat(pc.awaitSettled(30, TimeUnit.SECONDS)).isTrue();
            assertThat(store.stats().undecodableRecords()).as("each counted once").isEqualTo(stale.size());
            assertThat(c.get("book")).isEqualTo(new Book("t", 1));
            // logged once, by the pass, as the store logs what it drops at load
            assertThat(storeLog.messages).singleElement().asString()
                    .startsWith("dropped 10 record(s) of 'c' in ").contains("that no longer decode (first error: ")
                    .contains("ClassNotFoundException");
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void theSettlingPassDropsWhatNoLongerDecodesAndHoldsImmutableValuesAsObjects() throws Exception {
        Map<String, Book> books = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            books.put("book" + i, new Book("t" + i, i));
        }
        Map<String, Shelf> shelves = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            shelves.put("shelf" + i, new Shelf(new ArrayList<>(List.of("a" + i))));
        }
        Managers managers = writeEntries("books", Book.class, books, Set.of("stale1", "stale2", "stale3"));
        try (CacheManager m = managers.open()) {
            m.createCache("shelves", typed(Shelf.class)).putAll(shelves);
        }
        try (Warnings storeLog = new Warnings(Store.class); CacheManager m = managers.open()) {
            Cache<String, Book> b = m.createCache("books", typed(Book.class));
            Cache<String, Shelf> s = m.createCache("shelves", typed(Shelf.class));
            assertThat(b.unwrap(PersistCache.class).awaitSettled(30, TimeUnit.SECONDS)).isTrue();
            assertThat(s.unwrap(PersistCache.class).awaitSettled(30, TimeUnit.SECONDS)).isTrue();
            // no read met them: the pass dropped, counted and logged them
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isEqualTo(3);
            assertThat(storeLog.messages).singleElement().asString().startsWith("dropped 3 record(s) of 'books' in ");
            PersistMap<Object, Stored> bookMap = b.unwrap(PersistCache.class).persistMap();
            assertThat(bookMap.size()).isEqualTo(300);
            bookMap.forEach((k, v) -> {
                assertThat(v.isSettled()).as("settled: %s", k).isTrue();
                assertThat(v.payload()).as("immutable, held as the object: %s", k).isInstanceOf(Book.class);
            });
            PersistMap<Object, Stored> shelfMap = s.unwrap(PersistCache.class).persistMap();
            assertThat(shelfMap.size()).isEqualTo(50);
            shelfMap.forEach((k, v) -> {
                assertThat(v.isSettled()).as("settled: %s", k).isTrue();
                assertThat(v.payload()).as("mutable, held as bytes: %s", k).isInstanceOf(byte[].class);
            });
            assertThat(b.get("book7")).isEqualTo(new Book("t7", 7));
            assertThat(s.get("shelf7")).isEqualTo(new Shelf(List.of("a7"))).isNotSameAs(s.get("shelf7"));
        }
        // each drop logged a delete: the next restart does not meet those records again
        try (CacheManager m = managers.open()) {
            PersistCache<String, Book> pc = m.createCache("books", typed(Book.class)).unwrap(PersistCache.class);
            assertThat(pc.awaitSettled(30, TimeUnit.SECONDS)).isTrue();
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isZero();
            assertThat(pc.persistMap().size()).isEqualTo(300);
            m.unwrap(Store.class).shrink();
        }
        try (CacheManager m = managers.open()) {
            PersistCache<String, Book> pc = m.createCache("books", typed(Book.class)).unwrap(PersistCache.class);
            assertThat(pc.awaitSettled(30, TimeUnit.SECONDS)).isTrue();
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isZero();
            assertThat(pc.persistMap().size()).isEqualTo(300);
        }
    }

    @Test
    void valuesDroppedByReadsAreLoggedEvenIfTheCacheClosesBeforeThePassStarts() throws Exception {
        Managers managers = writeEntries("c", Book.class, Map.of("book", new Book("t", 1)), Set.of("stale"));
        try (Warnings storeLog = new Warnings(Store.class)) {
            try (CacheManager m = holding(managers)) { // the pass is never released before close
                Cache<String, Book> c = m.createCache("c", typed(Book.class));
                assertThat(c.get("stale")).isNull();
                assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isEqualTo(1);
            }
            assertThat(storeLog.messages).singleElement().asString().startsWith("dropped 1 record(s) of 'c' in ");
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void aPutWhileTheSettlingPassDecodesTheOldValueWins() throws Exception {
        Managers managers = writeEntries("c", Slow.class, Map.of("k", new Slow("old")), Set.of());
        try (CacheManager m = holding(managers)) {
            Cache<String, Slow> c = m.createCache("c", typed(Slow.class));
            PersistCache<String, Slow> pc = c.unwrap(PersistCache.class);
            Gate gate = new Gate();
            Slow.GATE.set(gate);
            held.release();
            assertThat(gate.entered.await(30, TimeUnit.SECONDS)).as("the pass is decoding 'old'").isTrue();
            c.put("k", new Slow("new"));
            gate.open.countDown(); // the pass now swaps in its decoded 'old', unless the entry changed: it has
            assertThat(pc.awaitSettled(30, TimeUnit.SECONDS)).isTrue();
            assertThat(c.get("k")).isEqualTo(new Slow("new"));
            assertThat(pc.persistMap().get("k").payload()).isEqualTo(new Slow("new"));
        }
        try (CacheManager m = managers.open()) {
            assertThat(m.createCache("c", typed(Slow.class)).get("k")).isEqualTo(new Slow("new"));
        }
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "close the {0}")
    @ValueSource(strings = {"cache", "manager"})
    void closingWhileTheSettlingPassRunsStopsItAndKeepsEveryEntry(String what) throws Exception {
        Map<String, Slow> entries = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            entries.put("s" + i, new Slow("v" + i));
        }
        Managers managers = writeEntries("c", Slow.class, entries, Set.of());
        Warnings warnings = new Warnings(PersistMap.class);
        try {
            CacheManager m = holding(managers);
            Cache<String, Slow> c = m.createCache("c", typed(Slow.class));
            PersistCache<String, Slow> pc = c.unwrap(PersistCache.class);
            Gate gate = new Gate();
            Slow.CONSTRUCTED.set(0);
            Slow.GATE.set(gate);
            held.release();
            assertThat(gate.entered.await(30, TimeUnit.SECONDS)).isTrue();
            Thread closer = new Thread(what.equals("cache") ? c::close : m::close);
            closer.start();
            Thread.sleep(50); // let close begin: it waits for the pass to stop
            gate.open.countDown();
            closer.join(30_000);
            assertThat(closer.isAlive()).isFalse();
            assertThat(c.isClosed()).isTrue();
            assertThat(pc.awaitSettled(0, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(Slow.CONSTRUCTED.get()).as("the pass stopped early").isLessThan(10);
            assertThat(warnings.messages).isEmpty();
            m.close();
        } finally {
            warnings.close();
        }
        try (CacheManager m = managers.open()) {
            Cache<String, Slow> c = m.createCache("c", typed(Slow.class));
            for (int i = 0; i < 1000; i++) {
                assertThat(c.get("s" + i)).isEqualTo(new Slow("v" + i));
            }
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isZero();
        }
    }
}
