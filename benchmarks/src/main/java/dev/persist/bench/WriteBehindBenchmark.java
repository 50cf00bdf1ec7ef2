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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Put throughput of a cache in front of an H2 table ({@link WriteBehindCaches}): this provider's write-behind and
 * write-through, and Ehcache 3's write-behind, on the same writer, 1 and 16 threads, uniformly random keys of 10,000.
 * The trial's teardown prints a {@code WRITEBEHIND} line: rows the table received for the puts made.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 2, time = 5)
public class WriteBehindBenchmark {
    private static final AtomicLong TRIALS = new AtomicLong();

    @Param({"persist-behind", "persist-through", "ehcache-behind"})
    public String impl;

    private Path dir;
    private H2Table table;
    private WriteBehindCaches.Opened opened;
    private String[] keys;
    private final AtomicLong puts = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = BenchSupport.freshDir("wb-bench");
        table = new H2Table(dir);
        opened = WriteBehindCaches.open(impl, dir, table, URI.create("wb-bench-" + TRIALS.incrementAndGet()));
        keys = BenchSupport.keyPool(10_000);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        long t0 = System.nanoTime();
        opened.close(); // write-behind delivers what is pending here
        long closeMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("WRITEBEHIND impl=%s puts=%d rows=%d transactions=%d closeMs=%d%n", impl, puts.get(),
                table.rowsWritten(), table.calls(), closeMillis);
        table.close();
        BenchSupport.deleteRecursively(dir);
    }

    private String put() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        String key = keys[rnd.nextInt(keys.length)];
        String value = Long.toString(puts.incrementAndGet());
        opened.cache().put(key, value);
        return value;
    }

    @Benchmark
    @Threads(1)
    public String put_01t() {
        return put();
    }

    @Benchmark
    @Threads(16)
    public String put_16t() {
        return put();
    }
}
