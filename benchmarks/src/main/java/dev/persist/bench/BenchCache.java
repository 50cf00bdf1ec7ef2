package dev.persist.bench;

/**
 * What the JCache throughput benchmarks do to a cache: {@code get} and {@code put} of {@code String -> Item}. Two
 * implementations: {@link OverJCache}, a {@code javax.cache.Cache} (every JCache implementation under test), and
 * {@link RawCaffeine}, a plain Caffeine {@code Cache} with no JCache layer (the {@code caffeine-raw} reference).
 *
 * <p>JMH runs every trial (one benchmark method, one {@code impl}) in its own forked JVM, so the benchmark's call
 * sites {@code ops.get} and {@code ops.put} meet only one of the two classes and stay monomorphic (inlined behind
 * a class check), and so does the {@code javax.cache.Cache} call inside {@link OverJCache}, as it did when the
 * benchmarks called the {@code javax.cache.Cache} directly. (With {@code -f 0} all trials share one JVM and every
 * call site becomes polymorphic, this one as much as the {@code javax.cache.Cache} ones before it.)
 */
interface BenchCache {
    /** @return the value of {@code key}, null if absent */
    Item get(String key);

    void put(String key, Item value);

    /** A cache used through the JCache API. */
    final class OverJCache implements BenchCache {
        private final javax.cache.Cache<String, Item> cache;

        OverJCache(javax.cache.Cache<String, Item> cache) {
            this.cache = cache;
        }

        @Override
        public Item get(String key) {
            return cache.get(key);
        }

        @Override
        public void put(String key, Item value) {
            cache.put(key, value);
        }
    }

    /** Raw Caffeine: {@code getIfPresent} and {@code put}, values held as they are (by reference, no copy). */
    final class RawCaffeine implements BenchCache {
        private final com.github.benmanes.caffeine.cache.Cache<String, Item> cache;

        RawCaffeine(com.github.benmanes.caffeine.cache.Cache<String, Item> cache) {
            this.cache = cache;
        }

        @Override
        public Item get(String key) {
            return cache.getIfPresent(key);
        }

        @Override
        public void put(String key, Item value) {
            cache.put(key, value);
        }
    }
}
