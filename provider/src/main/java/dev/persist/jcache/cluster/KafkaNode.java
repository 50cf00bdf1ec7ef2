package dev.persist.jcache.cluster;

import dev.persist.jcache.config.ClusterSettings;
import dev.persist.jcache.config.ConfigException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import javax.cache.CacheException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This node in a cluster of Kafka: one producer shared by the clustered caches' publishers, and one consumer on a
 * thread of its own (the follower) that reads every partition of the topic, without a consumer group, and hands each
 * change to the cache it names, in topic order.
 *
 * <p><b>Offsets.</b> Each cache logs, per key, the offset it applied with the change ({@link AppliedOffset}); when
 * it joins, its resume point per partition is the highest it holds plus one. The follower seeks each partition to the
 * lowest resume point of its caches and skips, per cache, what that cache applied already. A cache that joins later
 * (created in code) makes the follower seek back for it, so it catches up on what it missed while closed.
 *
 * <p><b>Gaps.</b> A resume point below the partition's first offset (retention removed changes the cache never
 * applied) or above its end (the topic was recreated) cannot be continued: the cache is cleared and rebuilt from the
 * beginning, and a warning says so. The consumer never resets on its own ({@code auto.offset.reset=none}).
 */
public final class KafkaNode implements Cluster {
    private static final System.Logger LOG = System.getLogger(KafkaNode.class.getName());
    static final String ORIGIN = "o";
    static final String SEQ = "s";

    private final ClusterSettings settings;
    private final String source;
    private final String nodeId;
    private final byte[] nodeIdBytes;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<String, Following> members = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Following> joins = new ConcurrentLinkedQueue<>();
    /** Touched by the follower thread only: the consumer's next offset per partition, once sought. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Thread follower;
    private volatile boolean stopping;

    /** A cache the follower applies changes to: its resume points and what it waits for. */
    private static final class Following {
        final ClusterMember member;
        final ReentrantLock applying = new ReentrantLock();
        final Map<Integer, Long> next = new HashMap<>();
        final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
        Map<TopicPartition, Long> target;

        Following(ClusterMember member) {
            this.member = member;
        }
    }

    /**
     * Connects to the brokers and checks the topic.
     *
     * @param settings the {@code cluster} settings
     * @param source   the configuration's source, for messages
     * @param nodeId   this node's id
     * @throws ConfigException naming {@code cluster.kafka.bootstrapServers} if the brokers cannot be reached, or
     *                         {@code cluster.kafka.topic} if the topic does not exist
     */
    KafkaNode(ClusterSettings settings, String source, String nodeId) {
        this.settings = settings;
        this.source = source;
        this.nodeId = nodeId;
        this.nodeIdBytes = nodeId.getBytes(StandardCharsets.UTF_8);
        KafkaProducer<byte[], byte[]> p = null;
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            p = new KafkaProducer<>(KafkaSettings.producer(settings, nodeId));
            c = new KafkaConsumer<>(KafkaSettings.consumer(settings, nodeId));
            List<PartitionInfo> infos;
            try {
                infos = c.partitionsFor(settings.topic(), settings.connectTimeout());
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new ConfigException(source, "cluster.kafka.bootstrapServers", "cannot reach Kafka at "
                        + settings.bootstrapServers() + " within " + settings.connectTimeout()
                        + " (cluster.connectTimeout): " + e.getMessage());
            } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
                infos = List.of();
            }
            if (infos == null || infos.isEmpty()) {
                throw new ConfigException(source, "cluster.kafka.topic", "topic '" + settings.topic() + "' does not "
                        + "exist at " + settings.bootstrapServers() + "; create it compacted (cleanup.policy=compact,"
                        + " see docs/cluster.md)");
            }
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : infos) {
                parts.add(new TopicPartition(info.topic(), info.partition()));
            }
            c.assign(parts);
            this.partitions = List.copyOf(parts);
        } catch (RuntimeException e) {
            if (c != null) {
                c.close(Duration.ZERO);
            }
            if (p != null) {
                p.close(Duration.ZERO);
            }
            if (e instanceof ConfigException) {
                throw e;
            }
            throw new ConfigException(source, "cluster.kafka", "cannot connect to Kafka at "
                    + settings.bootstrapServers() + ": " + e);
        }
        this.producer = p;
        this.consumer = c;
        this.follower = new Thread(this::follow, "persist-jcache-cluster-follow-" + nodeId);
        this.follower.setDaemon(true);
        this.follower.start();
        LOG.log(System.Logger.Level.INFO, "cluster node ''{0}'' follows topic ''{1}'' ({2} partitions) at {3}",
                nodeId, settings.topic(), partitions.size(), settings.bootstrapServers());
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public CompletableFuture<Void> send(byte[] kafkaKey, byte[] value, long seq) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(settings.topic(), null, kafkaKey, value,
                List.<Header>of(new RecordHeader(ORIGIN, nodeIdBytes),
                        new RecordHeader(SEQ, ByteBuffer.allocate(8).putLong(seq).array())));
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
            } else {
                done.complete(null);
            }
        });
        return done;
    }

    @Override
    public void join(ClusterMember member) {
        Following f = new Following(member);
        if (members.putIfAbsent(member.cacheName(), f) != null) {
            throw new CacheException("cache '" + member.cacheName() + "' already follows the cluster's topic");
        }
        joins.add(f);
        consumer.wakeup();
        try {
            f.caughtUp.get(settings.catchUpTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            leave(member);
            throw new CacheException("cache '" + member.cacheName() + "' did not catch up with topic '"
                    + settings.topic() + "' within " + settings.catchUpTimeout() + " (cluster.catchUpTimeout)");
        } catch (ExecutionException e) {
            leave(member);
            throw new CacheException("cache '" + member.cacheName() + "' could not catch up with topic '"
                    + settings.topic() + "': " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leave(member);
            throw new CacheException("interrupted while cache '" + member.cacheName() + "' caught up", e);
        }
    }

    @Override
    public void leave(ClusterMember member) {
        Following f = members.get(member.cacheName());
        if (f == null || f.member != member) {
            return;
        }
        members.remove(member.cacheName(), f);
        // wait for a change being applied to it: after this, the cache may close its namespaces
        f.applying.lock();
        f.applying.unlock();
    }

    // ------------------------------------------------------------------ the follower

    private void follow() {
        try {
            while (!stopping) {
                takeJoins();
                if (positions.isEmpty()) {
                    sleep(50); // no cache follows yet: nowhere to read from
                    continue;
                }
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(200));
                } catch (WakeupException e) {
                    continue; // a cache joined
                } catch (OffsetOutOfRangeException e) {
                    outOfRange(e.partitions());
                    continue;
                }
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                        if (!dispatch(r)) {
                            break; // sought back to r: read again after a pause
                        }
                    }
                }
                try {
                    for (TopicPartition tp : partitions) {
                        positions.put(tp, consumer.position(tp));
                    }
                } catch (WakeupException e) {
                    continue; // a cache joined; positions are read again after the next poll
                }
                completeCatchUps();
            }
        } catch (RuntimeException | Error e) {
            if (!stopping) {
                LOG.log(System.Logger.Level.ERROR, "cluster node '" + nodeId + "' stopped following topic '"
                        + settings.topic() + "': this node no longer applies other nodes' changes", e);
                for (Following f : members.values()) {
                    f.caughtUp.completeExceptionally(e);
                }
            }
        }
    }

    /** Seeks back for each cache that joined, so that it reads what it has not applied. */
    private void takeJoins() {
        Following f;
        while ((f = joins.poll()) != null) {
            if (members.get(f.member.cacheName()) != f) {
                continue; // left before it was taken
            }
            try {
                start(f);
            } catch (WakeupException e) {
                joins.add(f); // another join woke the consumer: take this one again
                return;
            } catch (RuntimeException e) {
                f.caughtUp.completeExceptionally(e);
            }
        }
    }

    private void start(Following f) {
        Map<TopicPartition, Long> first = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<Integer, Long> applied = f.member.appliedOffsets();
        for (TopicPartition tp : partitions) {
            Long resume = applied.get(tp.partition());
            if (resume != null && (resume < first.get(tp) || resume > end.get(tp))) {
                LOG.log(System.Logger.Level.WARNING, "cache ''{0}'' applied topic ''{1}'' partition {2} up to offset"
                        + " {3}, but the topic now holds offsets {4} to {5}: {6}; the cache is cleared and rebuilt "
                        + "from the topic", f.member.cacheName(), settings.topic(), tp.partition(), resume,
                        first.get(tp), end.get(tp), resume < first.get(tp) ? "changes it never applied were removed "
                        + "by the topic's retention" : "the topic is not the one it followed (recreated?)");
                f.member.rebuild();
                applied = Map.of();
                break;
            }
        }
        for (TopicPartition tp : partitions) {
            long from = applied.getOrDefault(tp.partition(), first.get(tp));
            f.next.put(tp.partition(), from);
            Long at = positions.get(tp);
            if (at == null || from < at) {
                consumer.seek(tp, from);
                positions.put(tp, from);
            }
        }
        f.target = end;
        completeCatchUps();
    }

    /** A cache has caught up once the consumer is past the end offsets of when it joined, on every partition. */
    private void completeCatchUps() {
        for (Following f : members.values()) {
            if (f.target == null || f.caughtUp.isDone()) {
                continue;
            }
            boolean done = true;
            for (Map.Entry<TopicPartition, Long> e : f.target.entrySet()) {
                Long at = positions.get(e.getKey());
                if (at == null || at < e.getValue()) {
                    done = false;
                    break;
                }
            }
            if (done) {
                f.target = null;
                f.caughtUp.complete(null);
            }
        }
    }

    /** @return false if the change could not be applied: the partition is sought back to it */
    private boolean dispatch(ConsumerRecord<byte[], byte[]> r) {
        String cache = ChangeKeys.cacheOf(r.key());
        Following f = cache == null ? null : members.get(cache);
        if (f == null) {
            return true; // a cache not open here: applied when it joins (it seeks back for it)
        }
        f.applying.lock();
        try {
            if (members.get(cache) != f || r.offset() < f.next.getOrDefault(r.partition(), 0L)) {
                return true; // left meanwhile, or applied already
            }
            Header origin = r.headers().lastHeader(ORIGIN);
            Header seq = r.headers().lastHeader(SEQ);
            boolean own = origin != null && java.util.Arrays.equals(origin.value(), nodeIdBytes);
            long s = seq != null && seq.value().length == 8 ? ByteBuffer.wrap(seq.value()).getLong() : 0;
            f.member.apply(new Incoming(r.partition(), r.offset(), ChangeKeys.keyOf(r.key()), r.value(), own, s));
            f.next.put(r.partition(), r.offset() + 1);
            return true;
        } catch (RuntimeException e) {
            if (members.get(cache) != f) {
                return true; // the cache closed under the change
            }
            LOG.log(System.Logger.Level.WARNING, "cache '" + cache + "' could not apply the change at offset "
                    + r.offset() + " of partition " + r.partition() + "; retrying", e);
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            consumer.seek(tp, r.offset());
            sleep(1000);
            return false;
        } finally {
            f.applying.unlock();
        }
    }

    /** The consumer ran past the topic's retention: every cache behind it is rebuilt from the beginning. */
    private void outOfRange(java.util.Set<TopicPartition> lost) {
        Map<TopicPartition, Long> first = consumer.beginningOffsets(partitions);
        for (Following f : members.values()) {
            f.applying.lock();
            try {
                LOG.log(System.Logger.Level.WARNING, "cache ''{0}'': changes of topic ''{1}'' it never applied were "
                        + "removed by the topic''s retention (partitions {2}); it is cleared and rebuilt from the topic",
                        f.member.cacheName(), settings.topic(), lost);
                f.member.rebuild();
                f.next.clear();
            } finally {
                f.applying.unlock();
            }
        }
        for (TopicPartition tp : partitions) {
            consumer.seek(tp, first.get(tp));
            positions.put(tp, first.get(tp));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stopFollowing() {
        if (stopping) {
            return;
        }
        stopping = true;
        consumer.wakeup();
        try {
            follower.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Iterator<Following> it = members.values().iterator(); it.hasNext(); ) {
            it.next().caughtUp.completeExceptionally(new CacheException("the cache manager closed"));
            it.remove();
        }
    }

    @Override
    public void close() {
        stopFollowing();
        if (!follower.isAlive()) {
            consumer.close(Duration.ofSeconds(5));
        }
        producer.close(Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return "KafkaNode[" + nodeId + " -> " + settings.topic() + " at " + settings.bootstrapServers() + " ("
                + source + ")]";
    }
}
