package dev.persist.jcache;

import dev.persist.jcache.config.CacheSettings;
import dev.persist.jcache.config.OnUnencodable;
import dev.persist.store.Store;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cache's {@code onUnencodable}: the held form of a value to put, or, for a value the codec cannot write under
 * {@link OnUnencodable#SKIP}, the marker {@link #SKIPPED}, which {@link Mutations} turns into "no entry for the key"
 * (the live entry, if any, is removed). Under {@link OnUnencodable#FAIL} the codec's
 * {@link IllegalArgumentException} reaches the caller, as before.
 *
 * @param <V> value type
 */
final class UnencodableValues<V> {
    /** The held value of a put whose value cannot be held: the key's entry is removed instead. */
    static final Object SKIPPED = new Object() {
        @Override
        public String toString() {
            return "SKIPPED (a value the codec cannot write)";
        }
    };

    private static final System.Logger LOG = System.getLogger(PersistCache.class.getName());
    /** The class a serialization refusal names (see {@code SerialAllowlist.refusal}). */
    private static final Pattern REFUSED_CLASS = Pattern.compile("^(?:dynamic proxy )?class (\\S+) is not allowed");

    private final String cacheName;
    private final Form<V> values;
    private final OnUnencodable policy;
    private final Store store;
    private final AtomicLong skipped = new AtomicLong();
    /** Classes already logged for this cache: one line per class, not one per put. */
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    UnencodableValues(String cacheName, Form<V> values, OnUnencodable policy, Store store) {
        this.cacheName = cacheName;
        this.values = values;
        this.policy = policy;
        this.store = store;
    }

    /**
     * @param value a value to put
     * @return its held form, or {@link #SKIPPED} if the codec cannot write it and the cache skips such values
     * @throws IllegalArgumentException if the codec cannot write it and the cache fails on such values
     */
    Object in(V value) {
        try {
            return values.in(value);
        } catch (IllegalArgumentException e) {
            if (policy == OnUnencodable.FAIL) {
                throw e;
            }
            skipped(value, e);
            return SKIPPED;
        }
    }

    private void skipped(V value, IllegalArgumentException e) {
        skipped.incrementAndGet();
        store.countSkippedValue();
        String message = String.valueOf(e.getMessage());
        Matcher m = REFUSED_CLASS.matcher(message);
        String refused = m.find() ? m.group(1) : value.getClass().getName();
        if (logged.add(refused)) {
            LOG.log(System.Logger.Level.WARNING, "cache '" + cacheName + "' skipped a value it cannot write ("
                    + message + "); " + CacheSettings.pathOf(cacheName) + ".onUnencodable is skip, so the key has no "
                    + "entry (a miss) instead of the put failing. Further values refused for " + refused + " in this "
                    + "cache are skipped without a log line; statistics count them");
        }
    }

    /** @return the values this cache skipped since it was created */
    long skipped() {
        return skipped.get();
    }
}
