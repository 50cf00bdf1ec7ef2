package dev.persist.jcache;

import dev.persist.jcache.event.Listeners;
import dev.persist.jcache.integration.Closing;
import dev.persist.jcache.management.CacheConfigurationBean;
import dev.persist.jcache.management.CacheStats;
import dev.persist.jcache.management.MBeans;

import javax.cache.configuration.MutableConfiguration;
import javax.management.ObjectName;
import java.net.URI;
import java.util.List;

/**
 * What a cache holds beside its entries: its two MXBeans (registered as its configuration says) and the
 * application's components (listeners, loader, writer, expiry policy), closed together when the cache closes.
 */
final class CacheResources {
    private final MutableConfiguration<?, ?> configuration;
    private final CacheStats stats;
    private final ObjectName configurationName;
    private final ObjectName statisticsName;
    private final Listeners<?, ?> listeners;
    private final List<Object> components;
    private final ObjectName writeBehindName;

    /**
     * @param components the application's objects the cache must close (closed if {@link AutoCloseable})
     * @param writeBehind the write-behind MXBean, registered for the cache's life, or null for none
     */
    CacheResources(URI managerUri, String cacheName, MutableConfiguration<?, ?> configuration, CacheStats stats,
                   Listeners<?, ?> listeners, List<Object> components, Object writeBehind) {
        this.configuration = configuration;
        this.stats = stats;
        this.listeners = listeners;
        this.components = components;
        this.configurationName = MBeans.name(MBeans.Kind.CONFIGURATION, managerUri, cacheName);
        this.statisticsName = MBeans.name(MBeans.Kind.STATISTICS, managerUri, cacheName);
        this.writeBehindName = writeBehind == null ? null : MBeans.writeBehindName(managerUri, cacheName);
        if (writeBehind != null) {
            MBeans.register(writeBehind, writeBehindName);
        }
    }

    /** Turns statistics on or off, registering or unregistering their MXBean. */
    void statistics(boolean enabled) {
        configuration.setStatisticsEnabled(enabled);
        stats.enabled(enabled);
        if (enabled) {
            MBeans.register(stats, statisticsName);
        } else {
            MBeans.unregister(statisticsName);
        }
    }

    /** Registers or unregisters the configuration MXBean. */
    void management(boolean enabled) {
        configuration.setManagementEnabled(enabled);
        if (enabled) {
            MBeans.register(new CacheConfigurationBean(() -> configuration), configurationName);
        } else {
            MBeans.unregister(configurationName);
        }
    }

    /** Unregisters the MXBeans and closes the listeners and components; one failure does not stop the rest. */
    void close() {
        MBeans.unregister(statisticsName);
        MBeans.unregister(configurationName);
        if (writeBehindName != null) {
            MBeans.unregister(writeBehindName);
        }
        listeners.close();
        components.forEach(Closing::quietly);
    }
}
