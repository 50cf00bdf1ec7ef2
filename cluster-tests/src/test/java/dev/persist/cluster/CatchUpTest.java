package dev.persist.cluster;

import dev.persist.kafka.EmbeddedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static dev.persist.cluster.InProcessNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node killed with SIGKILL in the middle of a burst of puts, while another node goes on changing keys, is started
 * again: the first read it serves already holds every change the topic had when it started (it catches up before
 * serving, from the offsets it logged with the changes they applied), and every put it acknowledged before the kill
 * reaches the topic (what it owed the topic was in its log). Negative control: a node that follows the topic from its
 * latest offset at each start misses what happened while it was down, and the checker says so.
 */
class CatchUpTest {
    @TempDir
    Path dir;

    private final EmbeddedKafka kafka = SharedKafka.get();

    /**
     * @return null if the restarted node served what it missed, else the difference
     */
    private String killAndRestart(String topic, String kindOfB, Map<String, Integer> lastAckedOfB)
            throws Exception {
        try (Node a = Node.start(dir.resolve("a"), "a", kafka, topic, "cluster", "replicate", "write")) {
            Node b = Node.start(dir.resolve("b"), "b", kafka, topic, kindOfB, "replicate", "write");
            try {
                a.call("random 1 100 20");
                b.send("burst b 100000");
                // kill it mid-burst, after some puts were acknowledged
                for (int acked = 0; acked < 300; ) {
                    if (acked(b.next(60), lastAckedOfB)) {
                        acked++;
                    }
                }
                b.kill();
                for (String l : b.drain()) {
                    acked(l, lastAckedOfB);
                }
                // while b is down, a changes its keys; wait until the topic has all of it
                assertThat(a.call("random 2 300 20")).isEqualTo("done");
                await("a's changes in the topic", Duration.ofSeconds(30), () -> onlyK(a.dump())
                        .equals(onlyK(TopicView.read(kafka.bootstrapServers(), topic).expected("shared"))));
                Map<String, String> missed = onlyK(a.dump());
                b = Node.start(dir.resolve("b"), "b", kafka, topic, kindOfB, "replicate", "write");
                Map<String, String> served = onlyK(b.dump()); // its first answer after ready
                return served.equals(missed) ? null
                        : "the restarted node served " + served + " instead of " + missed;
            } finally {
                b.close();
            }
        }
    }

    private static boolean acked(String line, Map<String, Integer> lastAcked) {
        if (!line.startsWith("acked")) {
            return false;
        }
        String[] p = line.split(" ");
        lastAcked.merge(p[1], Integer.parseInt(p[2]), Math::max);
        return true;
    }

    private static Map<String, String> onlyK(Map<String, String> all) {
        Map<String, String> out = new TreeMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("k")) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Test
    void aNodeKilledAndRestartedServesWhatItMissedAndPublishesWhatItAcknowledged() throws Exception {
        String topic = kafka.createCompactedTopic("catchup-" + System.nanoTime(), 3);
        Map<String, Integer> lastAcked = new HashMap<>();
        assertThat(killAndRestart(topic, "cluster", lastAcked)).isNull();
        assertThat(lastAcked).hasSize(10);
        // every put b acknowledged before SIGKILL reached the topic: its value or a later one of b's
        await("b's acknowledged puts published after its restart", Duration.ofSeconds(30), () -> {
            Map<String, String> topicNow = TopicView.read(kafka.bootstrapServers(), topic).expected("shared");
            return lastAcked.entrySet().stream().allMatch(e -> topicNow.containsKey(e.getKey())
                    && Integer.parseInt(topicNow.get(e.getKey()).substring(1)) >= e.getValue());
        });
    }

    @Test
    void negativeControlANodeFollowingFromTheLatestOffsetMissesWhatHappenedWhileItWasDown() throws Exception {
        String topic = kafka.createCompactedTopic("catchup-neg-" + System.nanoTime(), 3);
        assertThat(killAndRestart(topic, "naive", new HashMap<>())).startsWith("the restarted node served");
    }

}
