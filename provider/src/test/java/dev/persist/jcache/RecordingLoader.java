package dev.persist.jcache;

import javax.cache.integration.CacheLoader;
import java.util.HashMap;
import java.util.Map;

/** A test {@link CacheLoader}, named by class in configurations: loads {@code "loaded:" + key}. */
public class RecordingLoader implements CacheLoader<String, String> {
    @Override
    public String load(String key) {
        return "loaded:" + key;
    }

    @Override
    public Map<String, String> loadAll(Iterable<? extends String> keys) {
        Map<String, String> out = new HashMap<>();
        keys.forEach(k -> out.put(k, load(k)));
        return out;
    }
}
