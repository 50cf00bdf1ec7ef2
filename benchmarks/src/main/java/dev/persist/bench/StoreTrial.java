package dev.persist.bench;

import dev.persist.store.Store;
import dev.persist.store.StoreOptions;
import dev.persist.store.StoreStats;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.nio.file.Path;

/**
 * What the store benchmarks share: a fresh store per trial (deleted afterwards) and, after each measured iteration,
 * a LOGSTATS line with the store's record, write and fsync counts, so that group commit's batching can be read off.
 */
abstract class StoreTrial {
    protected Path dir;
    protected Store store;

    private StoreStats before;
    private long iterationStart;
    private int measuredIteration;

    /** @return the tier under test, for the LOGSTATS line */
    protected abstract String tierName();

    protected void openStore(String dirPrefix) {
        dir = BenchSupport.freshDir(dirPrefix);
        store = Store.open(dir.resolve("bench.log"), StoreOptions.defaults());
    }

    @Setup(Level.Iteration)
    public void markIteration() {
        before = store.stats();
        iterationStart = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void reportIteration(BenchmarkParams benchmark, IterationParams iteration) {
        long nanos = System.nanoTime() - iterationStart;
        StoreStats after = store.stats();
        if (iteration.getType() == IterationType.MEASUREMENT) {
            BenchSupport.printLogLine(benchmark.getBenchmark(), tierName(), benchmark.getThreads(),
                    ++measuredIteration, before, after, nanos);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            BenchSupport.deleteRecursively(dir);
        }
    }
}
