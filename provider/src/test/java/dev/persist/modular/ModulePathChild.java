package dev.persist.modular;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.util.Properties;

/**
 * Runs in a child JVM with the provider on the module path and this class in the unnamed module: finds the provider
 * through the module's {@code provides}, uses a cache, and prints what the module exports.
 */
public final class ModulePathChild {
    private ModulePathChild() {
    }

    public static void main(String[] args) throws Exception {
        CachingProvider provider = Caching.getCachingProvider();
        Module module = provider.getClass().getModule();
        System.out.println("module " + module.getName());
        for (String pkg : new String[] {"dev.persist.jcache", "dev.persist.jcache.config", "dev.persist.jcache.management",
                "dev.persist.store", "dev.persist.store.log", "dev.persist.jcache.codec", "dev.persist.jcache.event",
                "dev.persist.jcache.integration", "dev.persist.jcache.expiry", "dev.persist.jcache.processor"}) {
            System.out.println((module.isExported(pkg) ? "exported " : "internal ") + pkg);
        }
        Properties p = new Properties();
        p.setProperty("store.path", args[0]);
        try (CacheManager m = provider.getCacheManager(provider.getDefaultURI(), ModulePathChild.class.getClassLoader(),
                p)) {
            Cache<String, String> c = m.createCache("c", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class).setStatisticsEnabled(true).setManagementEnabled(true));
            String before = c.get("k");
            c.put("k", "v" + (before == null ? 1 : Integer.parseInt(before.substring(1)) + 1));
            System.out.println("value " + c.get("k"));
        }
    }
}
