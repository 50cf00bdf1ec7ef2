package dev.persist.jcache;

import javax.cache.CacheManager;
import javax.cache.configuration.OptionalFeature;
import javax.cache.spi.CachingProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

/**
 * The persist-jcache {@link CachingProvider}, found by {@code Caching.getCachingProvider()} through
 * {@code META-INF/services/javax.cache.spi.CachingProvider}.
 *
 * <p>Managers are identified by (URI, ClassLoader). The default URI, {@value #DEFAULT_URI_STRING}, is the embedded
 * default store (or the file named by the system property {@code persist.jcache.config}); see
 * {@link dev.persist.jcache.config.ConfigResolver} for every URI form accepted.
 */
public final class PersistCachingProvider implements CachingProvider {
    /** The default URI, as a string. */
    public static final String DEFAULT_URI_STRING = "persist-jcache:default";
    private static final URI DEFAULT_URI = dev.persist.jcache.config.ConfigResolver.DEFAULT_URI;

    private final Map<ClassLoader, Map<URI, PersistCacheManager>> managers = new WeakHashMap<>();

    @Override
    public CacheManager getCacheManager(URI uri, ClassLoader classLoader, Properties properties) {
        URI u = uri == null ? getDefaultURI() : uri;
        ClassLoader cl = classLoader == null ? getDefaultClassLoader() : classLoader;
        Properties p = properties == null ? new Properties() : properties;
        synchronized (managers) {
            Map<URI, PersistCacheManager> byUri = managers.computeIfAbsent(cl, k -> new HashMap<>());
            PersistCacheManager m = byUri.get(u);
            if (m == null || m.isClosed()) {
                m = new PersistCacheManager(this, u, cl, p);
                byUri.put(u, m);
            }
            return m;
        }
    }

    @Override
    public CacheManager getCacheManager(URI uri, ClassLoader classLoader) {
        return getCacheManager(uri, classLoader, getDefaultProperties());
    }

    @Override
    public CacheManager getCacheManager() {
        return getCacheManager(getDefaultURI(), getDefaultClassLoader());
    }

    @Override
    public ClassLoader getDefaultClassLoader() {
        return getClass().getClassLoader();
    }

    @Override
    public URI getDefaultURI() {
        return DEFAULT_URI;
    }

    @Override
    public Properties getDefaultProperties() {
        return new Properties();
    }

    /** Called by a manager that closed: a later request for its URI opens a new one. */
    void release(PersistCacheManager manager) {
        synchronized (managers) {
            Map<URI, PersistCacheManager> byUri = managers.get(manager.getClassLoader());
            if (byUri != null) {
                byUri.remove(manager.getURI(), manager);
                if (byUri.isEmpty()) {
                    managers.remove(manager.getClassLoader());
                }
            }
        }
    }

    @Override
    public void close() {
        List<PersistCacheManager> all = new ArrayList<>();
        synchronized (managers) {
            for (Map<URI, PersistCacheManager> byUri : managers.values()) {
                all.addAll(byUri.values());
            }
        }
        all.forEach(PersistCacheManager::close);
    }

    @Override
    public void close(ClassLoader classLoader) {
        ClassLoader cl = classLoader == null ? getDefaultClassLoader() : classLoader;
        List<PersistCacheManager> some;
        synchronized (managers) {
            Map<URI, PersistCacheManager> byUri = managers.get(cl);
            some = byUri == null ? List.of() : new ArrayList<>(byUri.values());
        }
        some.forEach(PersistCacheManager::close);
    }

    @Override
    public void close(URI uri, ClassLoader classLoader) {
        URI u = uri == null ? getDefaultURI() : uri;
        ClassLoader cl = classLoader == null ? getDefaultClassLoader() : classLoader;
        PersistCacheManager m;
        synchronized (managers) {
            Map<URI, PersistCacheManager> byUri = managers.get(cl);
            m = byUri == null ? null : byUri.get(u);
        }
        if (m != null) {
            m.close();
        }
    }

    @Override
    public boolean isSupported(OptionalFeature optionalFeature) {
        return optionalFeature == OptionalFeature.STORE_BY_REFERENCE;
    }
}
