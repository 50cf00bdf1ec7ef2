package dev.persist.bench;

import dev.persist.jcache.PersistCache;
import org.ehcache.config.CacheConfiguration;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.MemoryUnit;
import org.ehcache.core.config.DefaultConfiguration;
import org.ehcache.impl.config.copy.DefaultCopierConfiguration;
import org.ehcache.impl.config.persistence.DefaultPersistenceConfiguration;
import org.ehcache.impl.copy.SerializingCopier;
import org.ehcache.jsr107.Eh107Configuration;
import org.ehcache.jsr107.EhcacheCachingProvider;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The data sets of the disk-tier benchmarks (issue 12): per implementation, {@code entries} entries
 * ({@code "0".."entries-1"} -> {@link Blob} of about 1 KB), built once in a fixed directory and reused by every
 * later trial, fork and run (building 2M x 1 KB takes minutes). A data set is complete when its {@code READY} file
 * exists (written after the filled manager was closed); a directory without it is deleted and built again.
 *
 * <p>Base directory: {@code $BENCH_DISK_DATA} (the forked JMH VMs inherit the environment; run.sh sets
 * {@code benchmarks/target/disk-data}), else {@code java.io.tmpdir/persist-bench-disk}. One data set per
 * {@code <impl>-<entries>} sub-directory. Not for {@code /dev/shm}: each is 2 GB or more.
 *
 * <p>Implementations, all through {@code javax.cache}, all store-by-value, cache name {@value #CACHE}:
 * <ul>
 *   <li>{@code persist-disk}: this provider with the disk tier of issue 12, configured by a YAML file in the data
 *       set's directory: {@code caches: { items: { durability: write, memory: { maximumSize: 100000 },
 *       disk: { maximumBytes: 4GB } } }}.</li>
 *   <li>{@code persist-heap}: the reference of the Zipf target, today's cache: this provider, {@code durability:
 *       write}, no {@code memory} or {@code disk} section, no size bound, so every entry is held in the heap (2M x
 *       1 KB needs a heap of about 4 GB, not 512 MB).</li>
 *   <li>{@code ehcache-disk}: Ehcache 3 with {@code ResourcePoolsBuilder.heap(100_000).disk(8, GB, true)} in a
 *       persistent cache manager ({@link DefaultPersistenceConfiguration}), values copied by
 *       {@link SerializingCopier}, through {@code Eh107Configuration.fromEhcacheCacheConfiguration}.</li>
 * </ul>
 */
final class DiskDataSet {
    static final String CACHE = "items";
    /** Entries the in-memory front holds: persist-disk's {@code memory.maximumSize}, ehcache-disk's heap tier. */
    static final int FRONT = 100_000;
    /** persist-disk's {@code disk.maximumBytes}, as in issue 12. */
    static final int DISK_GB = 4;
    /**
     * ehcache-disk's disk pool: Ehcache's files take about 2.2 KB per 1 KB entry here (4.4 GB for 2M), more than a
     * 4 GB pool holds; a smaller pool would evict from the disk tier and the gets would miss.
     */
    static final int EHCACHE_DISK_GB = 8;
    private static final String READY = "READY";
    private static final int FILL_BATCH = 1000;

    private DiskDataSet() {
    }

    /**
     * Builds the data sets that are missing, in a JVM of its own with a heap larger than the benchmarks' 512 MB
     * (run.sh: {@code BENCH_DISK_BUILD_HEAP}, default 4g): building is not measured, and Ehcache's disk tier queues
     * its file writes on the heap ({@code FileBackedStorageEngine$FileWriteTask}), which at 512 MB filled the heap
     * during 2M puts of 1 KB (full GCs back to back).
     *
     * <pre>java -Xmx4g -cp benchmarks.jar dev.persist.bench.DiskDataSet 2000000 ehcache-disk persist-heap</pre>
     */
    public static void main(String[] args) {
        int entries = Integer.parseInt(args[0]);
        int failed = 0;
        for (int i = 1; i < args.length; i++) {
            try {
                ensure(args[i], entries);
            } catch (RuntimeException | Error e) {
                failed++;
                System.out.printf(Locale.ROOT, "%nDISKSET failed impl=%s entries=%d: %s%n", args[i], entries, e);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** An opened data set: the manager and its cache. */
    record Opened(CacheManager manager, Cache<String, Blob> cache) implements AutoCloseable {
        @Override
        public void close() {
            JCacheImpls.close(manager);
        }
    }

    static Path base() {
        String b = System.getenv("BENCH_DISK_DATA");
        return b != null && !b.isBlank() ? Path.of(b)
                : Path.of(System.getProperty("java.io.tmpdir"), "persist-bench-disk");
    }

    /** @return the data set's directory, built first if it is not complete */
    static Path ensure(String impl, int entries) {
        Path dir = base().resolve(impl + "-" + entries);
        if (Files.exists(dir.resolve(READY))) {
            try {
                dir = dir.toRealPath(); // a data set linked in from another base: walk (size, page cache) its files
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.out.printf(Locale.ROOT, "%nDISKSET reused impl=%s entries=%d dir=%s bytesOnDisk=%d %s%n", impl,
                    entries, dir, JCacheImpls.sizeOnDisk(dir), readyInfo(dir));
            return dir;
        }
        BenchSupport.deleteRecursively(dir);
        try {
            Files.createDirectories(dir);
            long t0 = System.nanoTime();
            try (Opened o = open(impl, dir)) {
                fill(o.cache(), entries);
                long f = System.nanoTime();
                o.close();
                long c = System.nanoTime();
                String info = String.format(Locale.ROOT, "fillSeconds=%.1f closeSeconds=%.1f bytesAtBuild=%d",
                        (f - t0) / 1e9, (c - f) / 1e9, JCacheImpls.sizeOnDisk(dir));
                Files.writeString(dir.resolve(READY), info + "\n");
                System.out.printf(Locale.ROOT, "%nDISKSET built impl=%s entries=%d dir=%s %s%n", impl, entries, dir,
                        info);
            }
            return dir;
        } catch (IOException e) {
            BenchSupport.deleteRecursively(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            BenchSupport.deleteRecursively(dir);
            throw e;
        }
    }

    private static String readyInfo(Path dir) {
        try {
            return Files.readString(dir.resolve(READY)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** Keys {@code 0..entries-1}, version 0, by {@code putAll} of {@value #FILL_BATCH} at a time. */
    private static void fill(Cache<String, Blob> cache, int entries) {
        Map<String, Blob> batch = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            batch.put(Integer.toString(i), Blob.of(i, 0));
            if (batch.size() == FILL_BATCH || i == entries - 1) {
                cache.putAll(batch);
                batch.clear();
            }
        }
    }

    /** Opens (or, in an empty directory, creates) the implementation's manager and cache on {@code dir}. */
    static Opened open(String impl, Path dir) {
        ClassLoader cl = DiskDataSet.class.getClassLoader();
        CacheManager manager;
        switch (impl) {
            case "persist-disk":
            case "persist-heap":
                Path yaml = dir.resolve("persist.yaml");
                writeConfig(yaml, dir.resolve("items.log"), impl.equals("persist-disk"));
                manager = Caching.getCachingProvider(JCacheImpls.PERSIST, cl).getCacheManager(yaml.toUri(), cl);
                break;
            case "ehcache-disk":
                EhcacheCachingProvider eh = (EhcacheCachingProvider) Caching.getCachingProvider(JCacheImpls.EHCACHE,
                        cl);
                manager = eh.getCacheManager(URI.create("bench-disk:" + dir.getFileName()), new DefaultConfiguration(
                        cl, new DefaultPersistenceConfiguration(dir.resolve("ehcache").toFile())));
                break;
            default:
                throw new IllegalArgumentException("unknown impl " + impl + " (persist-disk, persist-heap, ehcache-disk)");
        }
        try {
            Cache<String, Blob> cache;
            if (impl.equals("ehcache-disk")) {
                CacheConfiguration<String, Blob> cc = CacheConfigurationBuilder
                        .newCacheConfigurationBuilder(String.class, Blob.class, ResourcePoolsBuilder
                                .heap(FRONT).disk(EHCACHE_DISK_GB, MemoryUnit.GB, true))
                        .withService(new DefaultCopierConfiguration<>(SerializingCopier.<Blob>asCopierClass(),
                                DefaultCopierConfiguration.Type.VALUE))
                        .build();
                cache = manager.createCache(CACHE, Eh107Configuration.fromEhcacheCacheConfiguration(cc));
            } else {
                // a cache the file configures is created with the manager (store-by-value, types as configured)
                cache = manager.getCache(CACHE, String.class, Blob.class);
                if (cache == null) {
                    cache = manager.createCache(CACHE, new MutableConfiguration<String, Blob>()
                            .setTypes(String.class, Blob.class).setStoreByValue(true));
                }
            }
            return new Opened(manager, cache);
        } catch (RuntimeException | Error e) {
            JCacheImpls.close(manager);
            throw e;
        }
    }

    /**
     * The durability of this provider's caches: {@code write}, the issue's, unless {@code BENCH_DISK_DURABILITY}
     * names another tier (a diagnostic: {@code async} is the guarantee closest to Ehcache's disk tier, whose file
     * writes are queued in the process).
     */
    static String durability() {
        String d = System.getenv("BENCH_DISK_DURABILITY");
        if (d == null || d.isBlank()) {
            return "write";
        }
        d = d.trim().toLowerCase(Locale.ROOT);
        if (!List.of("memory", "async", "write", "fsync").contains(d)) {
            throw new IllegalArgumentException("BENCH_DISK_DURABILITY=" + d + ": allowed are memory, async, write,"
                    + " fsync");
        }
        return d;
    }

    /**
     * The store's {@code autoShrink} of this provider's data sets: none, unless {@code BENCH_DISK_AUTOSHRINK} names an
     * interval (a diagnostic: puts that overwrite grow the log, and a store that shrinks while it is written deletes
     * the segments it retires; see benchmarks/README.md).
     *
     * @return the YAML mapping, or null
     */
    static String autoShrink() {
        String interval = System.getenv("BENCH_DISK_AUTOSHRINK");
        if (interval == null || interval.isBlank()) {
            return null;
        }
        return "{ interval: " + interval.trim() + ", ratio: 3.0 }";
    }

    /**
     * More keys of this provider's {@code store} section, as YAML ({@code BENCH_DISK_STORE}, e.g.
     * {@code "mappedReads: false"}): a diagnostic, to measure a store setting on the same data sets.
     *
     * @return the keys, or null
     */
    static String storeKeys() {
        String keys = System.getenv("BENCH_DISK_STORE");
        return keys == null || keys.isBlank() ? null : keys.trim();
    }

    /** The YAML of issue 12 (persist-disk) or of today's all-in-heap cache (persist-heap). */
    private static void writeConfig(Path yaml, Path log, boolean diskTier) {
        String types = "keyType: java.lang.String, valueType: " + Blob.class.getName();
        String durability = "durability: " + durability();
        String cache = diskTier
                ? "{ " + durability + ", memory: { maximumSize: " + FRONT + " }, disk: { maximumBytes: " + DISK_GB
                        + "GB }, " + types + " }"
                : "{ " + durability + ", " + types + " }";
        String text = "# written by dev.persist.bench.DiskDataSet\n"
                + "store: { path: \"" + log.toAbsolutePath() + "\""
                + (autoShrink() == null ? "" : ", autoShrink: " + autoShrink())
                + (storeKeys() == null ? "" : ", " + storeKeys()) + " }\n"
                + "caches:\n"
                + "  " + CACHE + ": " + cache + "\n";
        try {
            Files.writeString(yaml, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** For this provider's caches, waits until the values read back at the reopen are settled; no-op otherwise. */
    @SuppressWarnings("unchecked")
    static void awaitSettled(String impl, Cache<String, Blob> cache) {
        if (impl.startsWith("persist-")) {
            try {
                if (!cache.unwrap(PersistCache.class).awaitSettled(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException(impl + ": not settled after 5 minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Reads every file of the data set once, so the measured reads find it in the page cache ("page cache warm"). */
    static void warmPageCache(Path dir) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                    while (ch.read(buf) > 0) {
                        buf.clear();
                    }
                } catch (IOException e) {
                    // a lock file or one being replaced: not data
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Checks the first, middle and last key. */
    static void check(String impl, Cache<String, Blob> cache, int entries) {
        for (int i : List.of(0, entries / 2, entries - 1)) {
            Blob b = cache.get(Integer.toString(i));
            if (b == null || b.id() != i || b.data().length != Blob.SIZE) {
                throw new IllegalStateException(impl + ": entry " + i + " missing or wrong after the reopen");
            }
        }
    }
}
