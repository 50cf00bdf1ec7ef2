package dev.persist.jcache.metrics;

import dev.persist.store.DiskStats;
import dev.persist.store.PersistMap;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Binds the tiers of persist-jcache caches with {@code disk} ({@link PersistMap#diskStats()}) to a Micrometer
 * registry, tagged {@code cache=<name>} and {@code store=<log file>}: what JCache's statistics (and Micrometer's
 * {@code JCacheMetrics}) do not tell, where a hit came from and how full each tier is.
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code persist.cache.memory.entries}</td><td>gauge</td><td>entries the memory front holds</td></tr>
 *   <tr><td>{@code persist.cache.disk.entries}</td><td>gauge</td><td>entries on disk (every entry of the
 *       cache)</td></tr>
 *   <tr><td>{@code persist.cache.disk.used}</td><td>gauge</td><td>bytes of the entries' records, the figure
 *       {@code disk.maximumBytes} bounds</td></tr>
 *   <tr><td>{@code persist.cache.disk.max}</td><td>gauge</td><td>{@code disk.maximumBytes}</td></tr>
 *   <tr><td>{@code persist.cache.disk.reads}</td><td>counter</td><td>entries read back from disk because the front
 *       did not hold them: over the cache's gets, about its front's miss ratio</td></tr>
 * </table>
 *
 * <p>Caches without {@code disk} hold every entry in memory and have no tiers to tell: {@link #of(CacheManager)}
 * leaves them out and {@link #of(Cache)} refuses them. Meters read a fresh snapshot and hold the cache's map weakly,
 * as Micrometer's function meters do; a closed cache reads as NaN. In Spring Boot, declare it as a bean:
 * <pre>{@code
 * @Bean
 * MeterBinder persistCacheMetrics(javax.cache.CacheManager cacheManager) {
 *     return PersistCacheMetrics.of(cacheManager);
 * }
 * }</pre>
 */
public final class PersistCacheMetrics implements MeterBinder {
    private final List<PersistMap<?, ?>> maps;
    private final Iterable<Tag> tags;

    private PersistCacheMetrics(List<PersistMap<?, ?>> maps, Iterable<Tag> tags) {
        this.maps = List.copyOf(maps);
        this.tags = Tags.of(tags);
    }

    /**
     * @param cache a persist-jcache cache configured with {@code disk}
     * @param tags  tags added to every meter, beside {@code cache} and {@code store}
     * @return a binder of the cache's tiers
     * @throws IllegalArgumentException if it is not a persist-jcache cache, or has no {@code disk}
     */
    public static PersistCacheMetrics of(Cache<?, ?> cache, Iterable<Tag> tags) {
        PersistMap<?, ?> map = cache.unwrap(PersistMap.class);
        if (!map.isDiskBacked()) {
            throw new IllegalArgumentException("cache '" + cache.getName() + "' has no disk tier (configure "
                    + "'disk: { maximumBytes: ... }' for it): its memory holds every entry, and JCache's statistics "
                    + "tell its hits");
        }
        return new PersistCacheMetrics(List.of(map), tags);
    }

    /** {@link #of(Cache, Iterable)} without extra tags. */
    public static PersistCacheMetrics of(Cache<?, ?> cache) {
        return of(cache, Tags.empty());
    }

    /**
     * @param cacheManager a persist-jcache cache manager
     * @return a binder of every cache with {@code disk} the manager has open now (a cache created later is not
     *         bound: bind it with {@link #of(Cache)})
     * @throws IllegalArgumentException if it is not a persist-jcache manager
     */
    public static PersistCacheMetrics of(CacheManager cacheManager) {
        List<PersistMap<?, ?>> disk = new ArrayList<>();
        for (String name : cacheManager.getCacheNames()) {
            Cache<?, ?> cache = cacheManager.getCache(name);
            if (cache == null) {
                continue; // destroyed meanwhile
            }
            PersistMap<?, ?> map = cache.unwrap(PersistMap.class);
            if (map.isDiskBacked()) {
                disk.add(map);
            }
        }
        return new PersistCacheMetrics(disk, Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (PersistMap<?, ?> map : maps) {
            Tags mapTags = Tags.concat(tags, "cache", map.name(), "store", String.valueOf(map.store().path()));
            gauge(registry, map, mapTags, "persist.cache.memory.entries", "entries the memory front holds", null,
                    DiskStats::memoryEntries);
            gauge(registry, map, mapTags, "persist.cache.disk.entries", "entries on disk", null,
                    DiskStats::entries);
            gauge(registry, map, mapTags, "persist.cache.disk.used", "bytes of the entries on disk", "bytes",
                    DiskStats::liveBytes);
            gauge(registry, map, mapTags, "persist.cache.disk.max", "the bound of the bytes on disk", "bytes",
                    DiskStats::maximumBytes);
            FunctionCounter.builder("persist.cache.disk.reads", map, m -> read(m, DiskStats::reads))
                    .description("entries read back from disk because the memory front did not hold them")
                    .tags(mapTags)
                    .register(registry);
        }
    }

    private static void gauge(MeterRegistry registry, PersistMap<?, ?> map, Tags tags, String name,
                              String description, String unit, ToDoubleFunction<DiskStats> figure) {
        Gauge.builder(name, map, m -> read(m, figure)).description(description).baseUnit(unit).tags(tags)
                .register(registry);
    }

    /** A figure of a fresh snapshot; NaN once the cache is closed. */
    private static double read(PersistMap<?, ?> map, ToDoubleFunction<DiskStats> figure) {
        if (!map.isOpen()) {
            return Double.NaN;
        }
        return figure.applyAsDouble(map.diskStats());
    }
}
