package dev.persist.jcache;

import dev.persist.store.Durability;
import dev.persist.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing the last manager of a store closes the store with the caches' namespaces still registered (the log has
 * every entry; nothing could adopt orphans); a manager that is not the last one detaches them for the others.
 */
class ManagerCloseTest {
    @TempDir
    Path dir;

    record Book(String title, int pages) implements Serializable {
    }

    /**
     * A deeply immutable value whose decoding can be held at a gate (records are deserialized through their
     * canonical constructor): the store's settling pass, which decodes the values read back at a restart, then
     * holds the close of their cache or manager as long as the test likes.
     */
    record Gated(String v) implements Serializable {
        static final AtomicReference<SettlingAfterRestartTest.Gate> GATE = new AtomicReference<>();

        Gated {
            SettlingAfterRestartTest.Gate g = GATE.getAndSet(null);
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

    @AfterEach
    void openTheGate() {
        SettlingAfterRestartTest.Gate g = Gated.GATE.getAndSet(null);
        if (g != null) {
            g.open.countDown();
        }
    }

    private static MutableConfiguration<String, Gated> gated() {
        return new MutableConfiguration<String, Gated>().setTypes(String.class, Gated.class);
    }

    private static void writeGated(CacheManager m, int n) {
        Cache<String, Gated> c = m.createCache("gated", gated());
        for (int i = 0; i < n; i++) {
            c.put("g" + i, new Gated("v" + i));
        }
    }

    /** Arms the gate: the next {@link Gated} decoded (by a settling pass) waits until the gate opens. */
    private static SettlingAfterRestartTest.Gate holdSettling() {
        SettlingAfterRestartTest.Gate gate = new SettlingAfterRestartTest.Gate();
        Gated.GATE.set(gate);
        return gate;
    }

    private static MutableConfiguration<String, Book> books() {
        return new MutableConfiguration<String, Book>().setTypes(String.class, Book.class);
    }

    private static MutableConfiguration<String, String> strings() {
        return new MutableConfiguration<String, String>().setTypes(String.class, String.class);
    }

    private static void fill(Cache<String, Book> c, int from, int to) {
        for (int i = from; i < to; i++) {
            c.put("b" + i, new Book("t" + i, i));
        }
    }

    private static void assertBooks(Cache<String, Book> c, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(c.get("b" + i)).as("b%d", i).isEqualTo(new Book("t" + i, i));
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void theLastManagerClosesTheStoreWithoutDetachingAndAReopenFindsEverything() {
        Managers managers = new Managers(dir, "write");
        CacheManager m = managers.open();
        fill(m.createCache("books", books()), 0, 100);
        PersistCache<String, String> async = m.createCache("async", strings()).unwrap(PersistCache.class);
        for (int i = 0; i < 50; i++) {
            async.put("a" + i, "v" + i, Durability.ASYNC); // pending: the store writes them when it closes
        }
        Store store = m.unwrap(Store.class);
        m.close();
        assertThat(store.isOpen()).isFalse();
        assertThat(store.orphanNamespaces()).as("entries not turned into orphan records").isEmpty();
        assertThat(store.registeredMap("books")).isNotNull();

        try (CacheManager again = managers.open()) {
            assertBooks(again.createCache("books", books()), 100);
            Cache<String, String> a = again.createCache("async", strings());
            for (int i = 0; i < 50; i++) {
                assertThat(a.get("a" + i)).isEqualTo("v" + i);
            }
        }
    }

    @Test
    void aManagerThatIsNotTheLastDetachesItsCachesSoAnotherCanAdoptThem() {
        PersistCachingProvider provider = new PersistCachingProvider();
        ClassLoader other = new ClassLoader(getClass().getClassLoader()) {
        };
        Properties props = new Properties();
        props.setProperty("store.path", dir.resolve("shared.log").toString());
        URI uri = URI.create("shared");
        CacheManager a = provider.getCacheManager(uri, getClass().getClassLoader(), props);
        CacheManager b = provider.getCacheManager(uri, other, props);
        fill(a.createCache("books", books()), 0, 100);
        a.close();
        Store store = b.unwrap(Store.class);
        assertThat(store.isOpen()).isTrue();
        assertThat(store.orphanNamespaces()).containsExactly("books");
        Cache<String, Book> adopted = b.createCache("books", books());
        assertThat(adopted.unwrap(PersistCache.class).isPersistent()).isTrue();
        assertBooks(adopted, 100);
        b.close();
        assertThat(store.isOpen()).isFalse();
        try (CacheManager again = provider.getCacheManager(uri, getClass().getClassLoader(), props)) {
            assertBooks(again.createCache("books", books()), 100);
        }
    }

    @Test
    void aManagerAcquiringTheStoreWhileTheLastOneClosesItWaitsThenFindsEverything() throws Exception {
        Managers managers = new Managers(dir, "write");
        try (CacheManager m = managers.open()) {
            writeGated(m, 100);
        }
        SettlingAfterRestartTest.Gate gate = holdSettling();
        CacheManager first = managers.open();
        first.createCache("gated", gated()); // its settling pass decodes the first value and waits at the gate
        assertThat(gate.entered.await(30, TimeUnit.SECONDS)).isTrue();
        Store firstStore = first.unwrap(Store.class);

        Thread closer = new Thread(first::close, "last-manager-closing");
        closer.start();
        Thread.sleep(200); // the close is now waiting for the settling pass to stop, holding the store's release
        assertThat(closer.isAlive()).isTrue();
        AtomicReference<CacheManager> second = new AtomicReference<>();
        Thread opener = new Thread(() -> second.set(managers.open()), "second-manager");
        opener.start();
        opener.join(300);
        assertThat(opener.isAlive()).as("the second manager waits for the store to close").isTrue();
        gate.open.countDown();
        closer.join(30_000);
        opener.join(30_000);

        assertThat(firstStore.isOpen()).isFalse();
        CacheManager m = second.get();
        assertThat(m).isNotNull();
        Store secondStore = m.unwrap(Store.class);
        assertThat(secondStore).isNotSameAs(firstStore);
        assertThat(secondStore.isOpen()).isTrue();
        Cache<String, Gated> c = m.createCache("gated", gated());
        for (int i = 0; i < 100; i++) {
            assertThat(c.get("g" + i)).isEqualTo(new Gated("v" + i));
        }
        m.close();
    }

    /**
     * Manager B creates a cache while manager A, which shares the store and is not its last holder, closes its cache
     * of that name: B's cache must wait for A's to let go of the namespace and then hold every entry, persistently.
     * (It used to become memory-only and empty: B saw the namespace still registered by the closing cache.)
     */
    @SuppressWarnings("unchecked")
    @Test
    void aCacheCreatedWhileAnotherManagerClosesItsCacheOfThatNameAdoptsEveryEntry() throws Exception {
        PersistCachingProvider provider = new PersistCachingProvider();
        ClassLoader other = new ClassLoader(getClass().getClassLoader()) {
        };
        Properties props = new Properties();
        props.setProperty("store.path", dir.resolve("shared.log").toString());
        URI uri = URI.create("shared-close-race");
        try (CacheManager m = provider.getCacheManager(uri, getClass().getClassLoader(), props)) {
            writeGated(m, 100);
        }
        CacheManager a = provider.getCacheManager(uri, getClass().getClassLoader(), props);
        CacheManager b = provider.getCacheManager(uri, other, props);
        try {
            SettlingAfterRestartTest.Gate gate = holdSettling();
            Cache<String, Gated> ofA = a.createCache("gated", gated());
            assertThat(gate.entered.await(30, TimeUnit.SECONDS)).isTrue();
            Thread closer = new Thread(ofA::close, "closing-cache-of-a");
            closer.start();
            Thread.sleep(200); // A's cache is closing: it waits for its settling pass to stop
            assertThat(closer.isAlive()).isTrue();
            AtomicReference<Cache<String, Gated>> ofB = new AtomicReference<>();
            Thread creator = new Thread(() -> ofB.set(b.createCache("gated", gated())), "creating-in-b");
            creator.start();
            creator.join(300);
            gate.open.countDown();
            closer.join(30_000);
            creator.join(30_000);
            assertThat(ofB.get()).isNotNull();
            assertThat(ofB.get().unwrap(PersistCache.class).isPersistent()).isTrue();
            for (int i = 0; i < 100; i++) {
                assertThat(ofB.get().get("g" + i)).isEqualTo(new Gated("v" + i));
            }
        } finally {
            a.close();
            b.close();
        }
    }
}
