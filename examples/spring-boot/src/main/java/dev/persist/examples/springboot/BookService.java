package dev.persist.examples.springboot;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slow book catalogue behind Spring's cache annotations. The cache {@code books} is declared in
 * {@code persist-jcache.yaml}; its entries are in the log before each call returns, so they are still there after a
 * restart.
 */
@Service
public class BookService {
    /** Stands for a slow remote system or database. */
    private static final Map<String, Book> CATALOGUE = new ConcurrentHashMap<>(Map.of(
            "978-0134685991", new Book("978-0134685991", "Effective Java", 3),
            "978-1617294945", new Book("978-1617294945", "Spring in Action", 5)));

    private final AtomicInteger lookups = new AtomicInteger();

    /** The body runs only on a cache miss; the count says how often it ran. */
    @Cacheable("books")
    public Book find(String isbn) {
        lookups.incrementAndGet();
        try {
            Thread.sleep(200); // the slow part the cache saves
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return CATALOGUE.get(isbn);
    }

    /** Always runs, and puts what it returns into the cache. */
    @CachePut(cacheNames = "books", key = "#result.isbn()")
    public Book save(Book book) {
        CATALOGUE.put(book.isbn(), book);
        return book;
    }

    /** Always runs, and removes the entry from the cache (and from its log). */
    @CacheEvict("books")
    public void forget(String isbn) {
        // nothing else to do: the catalogue keeps the book, the next find() reads it again
    }

    /** @return how many times {@link #find} ran its body, since this service was created */
    public int lookups() {
        return lookups.get();
    }
}
