package dev.persist.cluster;

import dev.persist.jcache.PersistCachingProvider;
import dev.persist.jcache.cluster.ChangeKeys;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A node of the cluster tests, in a child JVM: a cache manager on its own store with one cache {@code shared} of
 * String keys and values, driven by commands on stdin, one answer line each on stdout.
 *
 * <p>Arguments: store directory, node id, bootstrap servers, topic, kind, mode, durability. Kinds: {@code cluster}
 * (the provider's cluster), and two negative controls the checkers must catch: {@code local} (no cluster at all) and
 * {@code naive} (no cluster in the provider; a consumer of its own that starts from the topic's latest offset at each
 * start, as one with a consumer group and {@code auto.offset.reset=latest} would, and a producer of its own).
 *
 * <p>Commands: {@code put k v}, {@code remove k}, {@code append k s} (an EntryProcessor), {@code get k},
 * {@code dump}, {@code random seed n keys} (random puts, removes and appends on keys k0..k(keys-1)), {@code burst
 * prefix n} (puts, each acknowledged on a line {@code acked key i} as soon as it returned), {@code close}.
 */
public final class NodeMain {
    private static final String CACHE = "shared";

    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String nodeId = args[1];
        String bootstrap = args[2];
        String topic = args[3];
        String kind = args[4];
        String mode = args[5];
        String durability = args[6];
        Files.createDirectories(dir);
        Path yaml = dir.resolve("node.yaml");
        String cluster = kind.equals("cluster") ? """
                cluster:
                  kafka: { bootstrapServers: '%s', topic: %s }
                  mode: %s
                  nodeId: %s
                  catchUpTimeout: 2m
                  replicatedTimeout: 2m
                """.formatted(bootstrap, topic, mode, nodeId) : "";
        Files.writeString(yaml, """
                store: { path: '%s' }
                %s
                caches:
                  shared: { keyType: java.lang.String, valueType: java.lang.String, durability: %s }
                """.formatted(dir.resolve("cache.log"), cluster, durability));
        CacheManager manager = new PersistCachingProvider().getCacheManager(yaml.toUri(),
                NodeMain.class.getClassLoader());
        Cache<String, String> cache = manager.getCache(CACHE, String.class, String.class);
        Naive naive = kind.equals("naive") ? new Naive(bootstrap, topic, cache) : null;
        System.out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] c = line.split(" ");
            switch (c[0]) {
                case "put" -> {
                    put(cache, naive, c[1], c[2]);
                    System.out.println("ok");
                }
                case "remove" -> {
                    cache.remove(c[1]);
                    if (naive != null) {
                        naive.publish(c[1], null);
                    }
                    System.out.println("ok");
                }
                case "append" -> {
                    append(cache, c[1], c[2]);
                    System.out.println("ok");
                }
                case "get" -> System.out.println("value " + cache.get(c[1]));
                case "dump" -> System.out.println("dump " + dump(cache));
                case "random" -> {
                    Random r = new Random(Long.parseLong(c[1]));
                    int n = Integer.parseInt(c[2]);
                    int keys = Integer.parseInt(c[3]);
                    for (int i = 0; i < n; i++) {
                        String k = "k" + r.nextInt(keys);
                        switch (r.nextInt(3)) {
                            case 0 -> put(cache, naive, k, nodeId + "." + i);
                            case 1 -> cache.remove(k);
                            default -> append(cache, k, nodeId);
                        }
                    }
                    System.out.println("done");
                }
                case "burst" -> {
                    int n = Integer.parseInt(c[2]);
                    for (int i = 0; i < n; i++) {
                        String k = c[1] + (i % 10);
                        put(cache, naive, k, "v" + i);
                        System.out.println("acked " + k + " " + i);
                    }
                    System.out.println("done");
                }
                case "close" -> {
                    if (naive != null) {
                        naive.close();
                    }
                    manager.close();
                    System.out.println("closed");
                    System.exit(0);
                }
                default -> System.out.println("error unknown command " + line);
            }
            System.out.flush();
        }
    }

    private static void put(Cache<String, String> cache, Naive naive, String k, String v) {
        cache.put(k, v);
        if (naive != null) {
            naive.publish(k, v);
        }
    }

    private static void append(Cache<String, String> cache, String k, String s) {
        cache.invoke(k, (e, a) -> {
            e.setValue((e.exists() ? e.getValue() : "") + "+" + a[0]);
            return null;
        }, s);
    }

    static String dump(Cache<String, String> cache) {
        Map<String, String> all = new TreeMap<>();
        for (Cache.Entry<String, String> e : cache) {
            all.put(e.getKey(), e.getValue());
        }
        List<String> parts = new ArrayList<>();
        all.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }

    /** The negative control: follows the topic from its latest offset at each start; stores no offsets. */
    private static final class Naive implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final Thread thread;
        private final String topic;
        private volatile boolean stop;

        Naive(String bootstrap, String topic, Cache<String, String> cache) {
            this.topic = topic;
            this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                    "key.serializer", ByteArraySerializer.class.getName(),
                    "value.serializer", ByteArraySerializer.class.getName()));
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                    "key.deserializer", ByteArrayDeserializer.class.getName(),
                    "value.deserializer", ByteArrayDeserializer.class.getName(), "enable.auto.commit", "false"));
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // the latest offset, now
            this.thread = new Thread(() -> {
                while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        if (!CACHE.equals(ChangeKeys.cacheOf(r.key()))) {
                            continue;
                        }
                        String k = new String(ChangeKeys.keyOf(r.key()), StandardCharsets.UTF_8);
                        if (r.value() == null) {
                            cache.remove(k);
                        } else {
                            cache.put(k, new String(Arrays.copyOfRange(r.value(), 8, r.value().length),
                                    StandardCharsets.UTF_8));
                        }
                    }
                }
                consumer.close();
            }, "naive-follower");
            thread.setDaemon(true);
            thread.start();
        }

        void publish(String k, String v) {
            byte[] value = v == null ? null : ByteBuffer.allocate(8 + v.length()).putLong(Long.MAX_VALUE)
                    .put(v.getBytes(StandardCharsets.UTF_8)).array();
            producer.send(new ProducerRecord<>(topic, ChangeKeys.encode(CACHE, k.getBytes(StandardCharsets.UTF_8)),
                    value));
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5000);
            producer.close();
        }
    }
}
