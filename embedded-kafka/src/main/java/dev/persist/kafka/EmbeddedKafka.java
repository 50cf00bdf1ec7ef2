package dev.persist.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real Kafka broker in KRaft mode (broker and controller in one server) in this JVM, for the cluster tests, the
 * cluster example and the cluster benchmarks: storage formatted with Kafka's {@link Formatter}, both listeners on
 * 127.0.0.1 at free ports chosen once (kept across {@link #restart}), small thread pools. Kafka's own
 * {@code KafkaClusterTestKit} binds every address, hence this. Applications point at their own Kafka instead.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final Path dir;
    private final boolean flushEveryRecord;
    private final int brokerPort;
    private final int controllerPort;
    private final String clusterId = Uuid.randomUuid().toString();
    private KafkaRaftServer server;

    private EmbeddedKafka(Path dir, boolean flushEveryRecord) {
        this.dir = dir;
        this.flushEveryRecord = flushEveryRecord;
        this.brokerPort = freePort();
        this.controllerPort = freePort();
        format();
        startServer();
    }

    /**
     * Formats storage in {@code dir} and starts a broker there.
     *
     * @param dir an empty directory for the broker's log
     * @return the running broker
     */
    public static EmbeddedKafka start(Path dir) {
        return new EmbeddedKafka(dir, false);
    }

    /**
     * As {@link #start(Path)}, with every record flushed to disk as it is appended: for a test that restarts the
     * broker in-process and must find every acknowledged record (Kafka's default leaves flushing to the OS).
     *
     * @param dir an empty directory for the broker's log
     * @return the running broker
     */
    public static EmbeddedKafka startFlushingEveryRecord(Path dir) {
        return new EmbeddedKafka(dir, true);
    }

    /** @return host:port of the broker's listener */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /**
     * Creates a compacted topic.
     *
     * @param name       its name
     * @param partitions how many partitions
     * @return the name
     */
    public String createCompactedTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact", "min.insync.replicas", "1"))))
                    .all().get(30, TimeUnit.SECONDS);
            return name;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    /** @return an admin client of this broker */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    private Map<String, Object> config() {
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // a shared machine: few threads
        p.put("num.network.threads", "1");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        if (flushEveryRecord) {
            p.put("log.flush.interval.messages", "1");
        }
        return p;
    }

    private void format() {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(clusterId)
                    .setNodeId(1)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(dir.toString())
                    .setDirectories(List.of(dir.toString()))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the broker's storage in " + dir, e);
        }
    }

    private synchronized void startServer() {
        server = new KafkaRaftServer(new KafkaConfig(config(), false), Time.SYSTEM);
        server.startup();
    }

    /** Stops the broker (a clean shutdown: its log is kept) and starts it again on the same ports and storage. */
    public synchronized void restart() {
        stop();
        startServer();
    }

    /** Stops the broker. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts the broker after {@link #stop}. */
    public synchronized void startAgain() {
        if (server == null) {
            startServer();
        }
    }

    /** Stops the broker. */
    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
