package dev.persist.jcache.metrics;

import dev.persist.store.Store;
import dev.persist.store.StoreStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import javax.cache.CacheManager;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds the figures of a persist-jcache store ({@link Store#stats()}) to a Micrometer registry, tagged
 * {@code store=<log file>}:
 *
 * <table>
 *   <caption>meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code persist.store.log.bytes}</td><td>gauge</td><td>bytes of the log file</td></tr>
 *   <tr><td>{@code persist.store.log.records}</td><td>gauge</td><td>records in the log file (a shrink brings it
 *       down to about the live keys)</td></tr>
 *   <tr><td>{@code persist.store.keys.live}</td><td>gauge</td><td>keys held, in every cache and orphan</td></tr>
 *   <tr><td>{@code persist.store.keys.orphan}</td><td>gauge</td><td>keys of caches not open</td></tr>
 *   <tr><td>{@code persist.store.async.pending}</td><td>gauge</td><td>keys whose ASYNC change the next sync
 *       writes</td></tr>
 *   <tr><td>{@code persist.store.async.backlog}</td><td>gauge</td><td>bytes of heap the ASYNC changes waiting for the
 *       syncer take, what {@code store.asyncBacklog} bounds</td></tr>
 *   <tr><td>{@code persist.store.async.overflows}</td><td>counter</td><td>ASYNC changes written at once, as at
 *       {@code write}, because the backlog was full</td></tr>
 *   <tr><td>{@code persist.store.writes}</td><td>counter</td><td>{@code write(2)} calls</td></tr>
 *   <tr><td>{@code persist.store.fsync}</td><td>timer</td><td>fsyncs: their count and total time (latency =
 *       total / count)</td></tr>
 *   <tr><td>{@code persist.store.shrinks}</td><td>counter</td><td>shrinks</td></tr>
 *   <tr><td>{@code persist.store.records.undecodable}</td><td>counter</td><td>records dropped because they no
 *       longer decode</td></tr>
 *   <tr><td>{@code persist.store.values.skipped}</td><td>counter</td><td>values not cached because the codec
 *       cannot write them ({@code onUnencodable: skip})</td></tr>
 *   <tr><td>{@code persist.store.generation.clears}</td><td>counter</td><td>opens that cleared the caches because
 *       {@code store.generation} changed</td></tr>
 *   <tr><td>{@code persist.store.disk.reads}</td><td>counter</td><td>records of caches with {@code disk} read back from
 *       disk because the memory front did not hold them (gets and iteration, and writes that read the entry they
 *       replace): over the gets, about the front's miss ratio</td></tr>
 *   <tr><td>{@code persist.store.reads.damaged}</td><td>counter</td><td>records of caches with {@code disk} found
 *       damaged when read back (checksum, length, or another key's record): never returned as values, their entries
 *       dropped; anything above 0 is worth an alert</td></tr>
 *   <tr><td>{@code persist.store.failed}</td><td>gauge</td><td>1 once an I/O failure stopped writes, else 0</td></tr>
 * </table>
 *
 * <p>Counters count since the store opened. Meters read a fresh {@link StoreStats} snapshot and hold the store
 * weakly, as Micrometer's function meters do; a closed store reads as NaN. In Spring Boot, declare it as a bean:
 * <pre>{@code
 * @Bean
 * MeterBinder persistStoreMetrics(javax.cache.CacheManager cacheManager) {
 *     return PersistStoreMetrics.of(cacheManager);
 * }
 * }</pre>
 */
public final class PersistStoreMetrics implements MeterBinder {
    private final Store store;
    private final Iterable<Tag> tags;

    /**
     * @param store the store
     * @param tags  tags added to every meter, beside {@code store}
     */
    public PersistStoreMetrics(Store store, Iterable<Tag> tags) {
        this.store = Objects.requireNonNull(store, "store");
        this.tags = Tags.concat(tags, "store", String.valueOf(store.path()));
    }

    /**
     * @param cacheManager a persist-jcache cache manager
     * @return a binder of the store it writes to
     * @throws IllegalArgumentException if it is not a persist-jcache manager
     */
    public static PersistStoreMetrics of(CacheManager cacheManager) {
        return new PersistStoreMetrics(cacheManager.unwrap(Store.class), Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "persist.store.log.bytes", "bytes of the log file", "bytes", StoreStats::logBytes);
        gauge(registry, "persist.store.log.records", "records in the log file", null, StoreStats::logRecords);
        gauge(registry, "persist.store.keys.live", "keys held, in every cache and orphan", null,
                StoreStats::liveKeys);
        gauge(registry, "persist.store.keys.orphan", "keys of caches not open", null, StoreStats::orphanKeys);
        gauge(registry, "persist.store.async.pending", "keys whose ASYNC change is not yet in the log", null,
                StoreStats::pendingAsyncKeys);
        gauge(registry, "persist.store.failed", "1 once an I/O failure stopped writes", null,
                s -> s.failure() == null ? 0 : 1);
        gauge(registry, "persist.store.async.backlog", "heap of the ASYNC changes waiting for the syncer", "bytes",
                StoreStats::asyncBacklogBytes);
        counter(registry, "persist.store.async.overflows",
                "ASYNC changes written at once because the backlog was full", StoreStats::asyncOverflows);
        counter(registry, "persist.store.writes", "write(2) calls", StoreStats::writeCalls);
        counter(registry, "persist.store.shrinks", "shrinks of the log", StoreStats::shrinks);
        counter(registry, "persist.store.records.undecodable", "records dropped because they no longer decode",
                StoreStats::undecodableRecords);
        counter(registry, "persist.store.values.skipped", "values not cached because the codec cannot write them",
                StoreStats::skippedValues);
        counter(registry, "persist.store.disk.reads", "records read back from disk for reads that missed memory",
                StoreStats::diskReads);
        counter(registry, "persist.store.reads.damaged", "records found damaged when read back from disk",
                StoreStats::damagedReads);
        counter(registry, "persist.store.generation.clears", "opens that cleared the caches for a new generation",
                StoreStats::generationClears);
        FunctionTimer.builder("persist.store.fsync", store, s -> (long) read(s, StoreStats::syncCalls),
                        s -> read(s, StoreStats::syncNanos), TimeUnit.NANOSECONDS)
                .description("fsyncs of the log: count and time spent")
                .tags(tags)
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, String unit,
                       ToDoubleFunction<StoreStats> figure) {
        Gauge.builder(name, store, s -> read(s, figure)).description(description).baseUnit(unit).tags(tags)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description,
                         ToDoubleFunction<StoreStats> figure) {
        FunctionCounter.builder(name, store, s -> read(s, figure)).description(description).tags(tags)
                .register(registry);
    }

    /** A figure of a fresh snapshot; NaN once the store is closed (its figures are gone with it). */
    private static double read(Store store, ToDoubleFunction<StoreStats> figure) {
        if (!store.isOpen()) {
            return Double.NaN;
        }
        try {
            return figure.applyAsDouble(store.stats());
        } catch (RuntimeException e) {
            return Double.NaN; // closed between the check and the snapshot
        }
    }
}
