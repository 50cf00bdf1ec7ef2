package dev.persist.cluster;

import dev.persist.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Durability {@code replicated}: a node puts in a loop while the broker is stopped and started again; then the node
 * is killed with SIGKILL and its store deleted (its machine lost). Every put it acknowledged is in the topic, and a
 * new node started on an empty store holds it. Negative control: at durability {@code write} an acknowledged put
 * waits in the node's own log for the broker, so losing the machine while the broker is down loses it, and the
 * checker says so.
 */
class ReplicatedDurabilityTest {
    @TempDir
    Path dir;

    private final EmbeddedKafka kafka = SharedKafka.get();

    /** @return null if every acknowledged put survived the loss of the node's machine, else what was lost */
    private String putsAcrossABrokerRestartThenLoseTheMachine(String topic, String durability, boolean replicated)
            throws Exception {
        Map<String, Integer> acked = new HashMap<>();
        Path store = dir.resolve("a");
        Node a = Node.start(store, "a", kafka, topic, "cluster", "replicate", durability);
        try {
            a.send("burst r 1000000");
            readAcks(a, acked, 100);
            kafka.stop();
            try {
                // with replicated, puts wait for the broker; with write, they go on into the local log
                long until = System.nanoTime() + 2_000_000_000L;
                while (System.nanoTime() < until) {
                    String l = a.poll(100);
                    if (l != null) {
                        record(l, acked);
                    }
                }
                if (!replicated) {
                    a.kill(); // the machine is lost while the broker is down
                }
            } finally {
                kafka.startAgain();
            }
            if (replicated) {
                readAcks(a, acked, 100);
                a.kill();
            }
            a.drain().forEach(l -> record(l, acked));
        } finally {
            a.kill();
        }
        deleteTree(store);
        assertThat(acked).isNotEmpty();

        Map<String, String> inTopic = TopicView.read(kafka.bootstrapServers(), topic).expected("shared");
        String lost = lost(acked, inTopic);
        if (lost != null) {
            return "topic: " + lost;
        }
        try (Node fresh = Node.start(dir.resolve("fresh"), "fresh", kafka, topic, "cluster", "replicate", "write")) {
            lost = lost(acked, fresh.dump());
            return lost == null ? null : "a new node: " + lost;
        }
    }

    private static void readAcks(Node n, Map<String, Integer> acked, int count) {
        for (int i = 0; i < count; ) {
            if (record(n.next(180), acked)) {
                i++;
            }
        }
    }

    private static boolean record(String line, Map<String, Integer> acked) {
        if (!line.startsWith("acked")) {
            return false;
        }
        String[] p = line.split(" ");
        acked.merge(p[1], Integer.parseInt(p[2]), Math::max);
        return true;
    }

    /** @return null if every key holds its last acknowledged value or a later one, else the first that does not */
    private static String lost(Map<String, Integer> acked, Map<String, String> held) {
        for (Map.Entry<String, Integer> e : acked.entrySet()) {
            String v = held.get(e.getKey());
            if (v == null || Integer.parseInt(v.substring(1)) < e.getValue()) {
                return "key " + e.getKey() + " was acknowledged with v" + e.getValue() + " but holds " + v;
            }
        }
        return null;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void aPutAcknowledgedAtReplicatedSurvivesABrokerRestartAndTheLossOfTheNodesMachine() throws Exception {
        String topic = kafka.createCompactedTopic("replicated-" + System.nanoTime(), 3);
        assertThat(putsAcrossABrokerRestartThenLoseTheMachine(topic, "replicated", true)).isNull();
    }

    @Test
    void negativeControlAtWriteAnAcknowledgedPutDiesWithTheMachineWhileTheBrokerIsDown() throws Exception {
        String topic = kafka.createCompactedTopic("replicated-neg-" + System.nanoTime(), 3);
        assertThat(putsAcrossABrokerRestartThenLoseTheMachine(topic, "write", false)).startsWith("topic: key r");
    }
}
