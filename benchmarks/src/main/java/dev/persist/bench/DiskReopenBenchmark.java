package dev.persist.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12, reopen: time from nothing open to the first get served on the 2M-entry data set
 * ({@link DiskDataSet}): {@code getCacheManager} + {@code createCache} + {@code get("0")}, single shot, heap 512 MB,
 * files in the page cache (read once in the trial's setup). The data set is built in the setup if it is missing
 * (run.sh builds the missing ones before, with {@code DiskDataSet}'s {@code main} in a larger heap, so this is only
 * for a run without run.sh). Each invocation's teardown checks the middle and last key and closes the manager (not
 * measured).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class DiskReopenBenchmark {
    @Param({"persist-disk", "ehcache-disk"})
    public String impl;

    @Param({"2000000"})
    public int entries;

    private Path dir;
    private DiskDataSet.Opened opened;

    @Setup(Level.Trial)
    public void build() {
        dir = DiskDataSet.ensure(impl, entries);
        DiskDataSet.warmPageCache(dir);
        System.out.printf(Locale.ROOT, "%nREOPEN impl=%s entries=%d bytesOnDisk=%d%n", impl, entries,
                JCacheImpls.sizeOnDisk(dir));
    }

    @Benchmark
    public Blob reopen() {
        opened = DiskDataSet.open(impl, dir);
        Blob first = opened.cache().get("0");
        if (first == null) {
            throw new IllegalStateException(impl + ": key 0 missing after the reopen");
        }
        return first;
    }

    @TearDown(Level.Invocation)
    public void close() {
        try {
            if (opened != null) {
                DiskDataSet.check(impl, opened.cache(), entries);
                DiskDataSet.awaitSettled(impl, opened.cache());
            }
        } finally {
            if (opened != null) {
                opened.close();
            }
            opened = null;
        }
    }
}
