package dev.persist.bench;

import dev.persist.kafka.EmbeddedKafka;
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

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A node's local get and put with clustering off and on (issue 15): one node, its cache {@code bench} of 10,000
 * String keys with 100-character values at tier {@code write}, and, when clustered, a broker in the same JVM (so the
 * broker and the follower compete for the same cores). A get never leaves the node; a put also owes the topic its
 * change (one more record in the same write), which the publisher sends and the follower reads back.
 * {@code replicate-replicated}: the put waits for Kafka's acknowledgement.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ClusterLocalBenchmark {
    static final int KEYS = 10_000;

    @Param({"off", "invalidate", "replicate", "replicate-replicated"})
    public String cluster;

    private Path dir;
    private EmbeddedKafka broker;
    private CacheManager manager;
    private Cache<String, String> cache;
    private String[] keys;
    private String value;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = BenchSupport.freshDir("cluster-bench");
        String bootstrap = null;
        String topic = "bench";
        if (!cluster.equals("off")) {
            broker = EmbeddedKafka.start(dir.resolve("broker"));
            bootstrap = broker.bootstrapServers();
            broker.createCompactedTopic(topic, 3);
        }
        String mode = cluster.startsWith("replicate") ? "replicate" : "invalidate";
        manager = ClusterNodes.open(dir, "a", bootstrap, topic, mode,
                cluster.endsWith("-replicated") ? "replicated" : "write");
        cache = manager.getCache("bench", String.class, String.class);
        keys = new String[KEYS];
        value = "v".repeat(100);
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "key-" + i;
            cache.put(keys[i], value);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        manager.close();
        if (broker != null) {
            broker.close();
        }
        BenchSupport.deleteRecursively(dir);
    }

    @Benchmark
    public String get() {
        return cache.get(keys[ThreadLocalRandom.current().nextInt(KEYS)]);
    }

    @Benchmark
    public void put() {
        cache.put(keys[ThreadLocalRandom.current().nextInt(KEYS)], value);
    }
}
