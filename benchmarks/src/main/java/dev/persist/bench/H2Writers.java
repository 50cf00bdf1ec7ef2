package dev.persist.bench;

import org.ehcache.spi.loaderwriter.CacheLoaderWriter;

import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One writer into an {@link H2Table}, in the two shapes the providers call: JSR-107's {@link CacheWriter} (this
 * provider, write-through and write-behind) and Ehcache 3's {@link CacheLoaderWriter} (its native write-behind). Both
 * make one transaction per call.
 */
final class H2Writers {
    private H2Writers() {
    }

    /** The JSR-107 writer. */
    static final class Jsr107 implements CacheWriter<String, String> {
        private final H2Table table;

        Jsr107(H2Table table) {
            this.table = table;
        }

        @Override
        public void write(Cache.Entry<? extends String, ? extends String> entry) {
            table.upsert(List.of(new AbstractMap.SimpleEntry<>(entry.getKey(), entry.getValue())));
        }

        @Override
        public void writeAll(Collection<Cache.Entry<? extends String, ? extends String>> entries) {
            List<Map.Entry<String, String>> rows = new ArrayList<>(entries.size());
            entries.forEach(e -> rows.add(new AbstractMap.SimpleEntry<>(e.getKey(), e.getValue())));
            table.upsert(rows);
            entries.clear();
        }

        @Override
        public void delete(Object key) {
            table.delete(List.of(key));
        }

        @Override
        public void deleteAll(Collection<?> keys) {
            table.delete(keys);
            keys.clear();
        }
    }

    /** The same writer as Ehcache 3's loader-writer (loading is not used: it finds nothing). */
    static final class Ehcache implements CacheLoaderWriter<String, String> {
        private final H2Table table;

        Ehcache(H2Table table) {
            this.table = table;
        }

        @Override
        public String load(String key) {
            return null;
        }

        @Override
        public void write(String key, String value) {
            table.upsert(List.of(new AbstractMap.SimpleEntry<>(key, value)));
        }

        @Override
        public void writeAll(Iterable<? extends Map.Entry<? extends String, ? extends String>> entries) {
            table.upsert(entries);
        }

        @Override
        public void delete(String key) {
            table.delete(List.of(key));
        }

        @Override
        public void deleteAll(Iterable<? extends String> keys) {
            table.delete(keys);
        }
    }
}
