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
import java.util.concurrent.atomic.AtomicBoolean;
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

    @AfterEach
    void noHook() {
        SharedStores.beforeLastClose = null;
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
    void aManagerAcquiringTheStoreWhileTheLastOneClosesItWaitsThenFindsEverything() throws InterruptedException {
        Managers managers = new Managers(dir, "write");
        CacheManager first = managers.open();
        fill(first.createCache("books", books()), 0, 100);
        Store firstStore = first.unwrap(Store.class);

        AtomicReference<CacheManager> second = new AtomicReference<>();
        Thread opener = new Thread(() -> second.set(managers.open()), "second-manager");
        AtomicBoolean openerWaited = new AtomicBoolean();
        SharedStores.beforeLastClose = () -> {
            // the first manager has decided it holds the last reference: another one asks for the store now
            opener.start();
            try {
                opener.join(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            openerWaited.set(opener.isAlive());
        };
        first.close();
        SharedStores.beforeLastClose = null;
        opener.join(30_000);

        assertThat(openerWaited).as("the second manager waited for the store to close").isTrue();
        assertThat(firstStore.isOpen()).isFalse();
        CacheManager m = second.get();
        assertThat(m).isNotNull();
        Store secondStore = m.unwrap(Store.class);
        assertThat(secondStore).isNotSameAs(firstStore);
        assertThat(secondStore.isOpen()).isTrue();
        Cache<String, Book> c = m.createCache("books", books());
        assertBooks(c, 100);
        fill(c, 100, 110);
        m.close();
        try (CacheManager again = managers.open()) {
            assertBooks(again.createCache("books", books()), 110);
        }
    }
}
