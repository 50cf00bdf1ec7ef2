package dev.persist.jcache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The write-behind crash loop: a child JVM puts and removes keys of a write-behind cache whose writer appends what
 * it receives to a file and fsyncs it ({@link FileDeliveryWriter}); the child is killed with SIGKILL at a random
 * moment; the parent opens the manager again (the cache is declared by its settings, so it opens with the manager
 * and drains on its own), waits until nothing is pending, and checks every key:
 * <ul>
 *   <li>its last delivered state is the state left by its last acknowledged operation, or by one begun after it
 *       (which may have reached the log before the kill): tiers WRITE and FSYNC, alternately;</li>
 *   <li>it never received an older state after a newer one: the states it received name operations in an order
 *       that never goes back (a value names its operation; a delete the first removal not before the previous
 *       state);</li>
 *   <li>the cache after the drain holds what the system of record last received.</li>
 * </ul>
 * Every round uses a cache of its own on the same log. {@value #ROUNDS_PROPERTY} sets the number of kills (default
 * {@value #QUICK_ROUNDS}, the quick mode of CI; use 50 or more for a long run); {@value #SEED_PROPERTY} replays a run.
 * A negative control shows the check failing when the drain's deliveries are dropped.
 */
class WriteBehindCrashLoopTest {
    static final String ROUNDS_PROPERTY = "writebehind.crash.rounds";
    static final String SEED_PROPERTY = "writebehind.crash.seed";
    static final int QUICK_ROUNDS = 8;
    private static final String[] TIERS = {"write", "fsync"};
    private static final int THREADS = 3;
    private static final int KEYS_PER_THREAD = 6;

    @TempDir
    Path dir;

    /** One key's history as the child printed it. */
    static final class KeyHistory {
        final List<String> states = new ArrayList<>(); // state after op i (null: absent)
        int lastAcked = -1;

        void begin(int seq, String state) {
            if (seq != states.size()) {
                throw new IllegalStateException("ops of a key out of order: " + seq + " after " + states.size());
            }
            states.add(state);
        }
    }

    @Test
    void everyAcknowledgedChangeReachesTheWriterAfterKillsAndNoneGoesBack() throws Exception {
        int rounds = Integer.getInteger(ROUNDS_PROPERTY, QUICK_ROUNDS);
        long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
        Random rnd = new Random(seed);
        int killsWithPending = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                killsWithPending += round(rnd, round, false) ? 1 : 0;
            }
        } catch (AssertionError | Exception e) {
            throw new AssertionError("write-behind crash loop failed; replay with -D" + SEED_PROPERTY + "=" + seed
                    + ": " + e, e);
        }
        // most kills must leave deliveries owed, or the drain after the restart proves little
        assertThat(killsWithPending).as("kills that left acknowledged changes undelivered").isGreaterThan(rounds / 2);
    }

    @Test
    void negativeControlTheCheckFailsWhenTheDrainDropsDeliveries() {
        long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
        Random rnd = new Random(seed);
        assertThatThrownBy(() -> {
            for (int round = 0; round < 6; round++) {
                round(rnd, round, true);
            }
        }).as("seed " + seed).isInstanceOf(AssertionError.class)
                // a dropped delivery shows as either: an acknowledged change the writer never got, or the cache's
                // state never delivered (a key whose change was logged but killed before its acknowledgement);
                // whichever key the check meets first decides which
                .hasMessageMatching("(?s).*(: last delivered |but the writer last received ).*");
    }

    /**
     * Runs, kills, drains and checks one round.
     *
     * @param dropDrain whether the drain's writer drops what it receives (the negative control)
     * @return whether the drain had something to deliver
     */
    private boolean round(Random rnd, int round, boolean dropDrain) throws Exception {
        String tier = TIERS[round % TIERS.length];
        String cacheName = "round-" + round + "-" + tier;
        Path log = dir.resolve("loop.log");
        Path deliveries = dir.resolve("deliveries-" + round + ".txt");
        Map<String, KeyHistory> histories = runAndKill(log, deliveries, tier, cacheName, rnd.nextLong(),
                250 + rnd.nextInt(500));
        long pendingAtRestart;
        Map<String, String> cached = new HashMap<>();
        System.setProperty(FileDeliveryWriter.FILE_PROPERTY, deliveries.toString());
        System.setProperty(FileDeliveryWriter.DROP_PROPERTY, String.valueOf(dropDrain));
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("wb-crash-check"), null,
                WriteBehindCrashChild.settings(log.toString(), cacheName, tier))) {
            Cache<String, String> c = m.getCache(cacheName, String.class, String.class);
            PersistCache<?, ?> pc = c.unwrap(PersistCache.class);
            pendingAtRestart = pc.writeBehind().getPendingCount() + pc.writeBehind().getDelivered();
            // drained without any operation on the cache
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pc.writeBehind().getPendingCount() > 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertThat(pc.writeBehind().getPendingCount()).as("pending after the drain").isZero();
            for (String key : histories.keySet()) {
                cached.put(key, c.get(key));
            }
        } finally {
            System.clearProperty(FileDeliveryWriter.FILE_PROPERTY);
            System.clearProperty(FileDeliveryWriter.DROP_PROPERTY);
        }
        check(cacheName, histories, readDeliveries(deliveries), cached);
        return pendingAtRestart > 0;
    }

    private Map<String, KeyHistory> runAndKill(Path log, Path deliveries, String tier, String cacheName, long seed,
                                               long runMillis) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-D" + FileDeliveryWriter.FILE_PROPERTY + "=" + deliveries,
                "-cp", classPath(), WriteBehindCrashChild.class.getName(), log.toString(),
                tier, cacheName, String.valueOf(THREADS), String.valueOf(KEYS_PER_THREAD), String.valueOf(seed)))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String[]> lines = new ArrayList<>();
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(runMillis);
            } catch (InterruptedException ignored) {
                // kill now
            }
            child.toHandle().destroyForcibly(); // SIGKILL; the parent's end of stdout stays readable to EOF
        });
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = out.readLine();
            if (!"READY".equals(line)) {
                fail("child did not start: " + line);
            }
            killer.start();
            while ((line = out.readLine()) != null) {
                lines.add(line.split(" "));
            }
        } finally {
            killer.interrupt();
            child.toHandle().destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        Map<String, KeyHistory> histories = new HashMap<>();
        for (String[] l : lines) {
            switch (l[0]) {
                case "B" -> histories.computeIfAbsent(l[1], k -> new KeyHistory())
                        .begin(Integer.parseInt(l[2]), l.length > 3 && !l[3].equals("-") ? l[3] : null);
                case "A" -> histories.get(l[1]).lastAcked = Integer.parseInt(l[2]);
                default -> {
                    if (l.length > 0 && !l[0].isEmpty()) {
                        fail("unexpected line from the child: " + String.join(" ", l));
                    }
                }
            }
        }
        return histories;
    }

    /** The code sources of what the child needs: java.class.path may be Surefire's booter jar. */
    private static String classPath() {
        java.util.Set<String> entries = new java.util.LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {WriteBehindCrashChild.class, PersistCachingProvider.class,
                javax.cache.Caching.class, com.github.benmanes.caffeine.cache.Caffeine.class,
                com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.core.JsonFactory.class,
                com.fasterxml.jackson.annotation.JsonProperty.class,
                com.fasterxml.jackson.dataformat.yaml.YAMLFactory.class, snakeYaml()}) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException("no code source for " + c, e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** SnakeYAML's class, looked up by name: this module does not read SnakeYAML's. */
    private static Class<?> snakeYaml() {
        try {
            return Class.forName("org.yaml.snakeyaml.Yaml");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("SnakeYAML is a dependency of Jackson's YAML module", e);
        }
    }

    /** Key to the states it received, in order ({@code null} for a delete). */
    static Map<String, List<String>> readDeliveries(Path file) throws IOException {
        Map<String, List<String>> out = new HashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isEmpty()) {
                continue;
            }
            String[] kv = line.split(" ");
            out.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1].equals("-") ? null : kv[1]);
        }
        return out;
    }

    /** The three checks of the class comment, for one round. */
    static void check(String cacheName, Map<String, KeyHistory> histories, Map<String, List<String>> delivered,
                      Map<String, String> cached) {
        for (Map.Entry<String, List<String>> e : delivered.entrySet()) {
            if (!histories.containsKey(e.getKey())) {
                fail(cacheName + ": the writer received key " + e.getKey() + " that no operation changed");
            }
        }
        for (Map.Entry<String, KeyHistory> e : histories.entrySet()) {
            String key = e.getKey();
            KeyHistory h = e.getValue();
            List<String> got = delivered.getOrDefault(key, List.of());
            String last = got.isEmpty() ? null : got.get(got.size() - 1);
            String guaranteed = h.lastAcked < 0 ? null : h.states.get(h.lastAcked);
            boolean lastAllowed = got.isEmpty() ? h.lastAcked < 0
                    : Objects.equals(last, guaranteed) && h.lastAcked >= 0
                    || h.states.subList(h.lastAcked + 1, h.states.size()).contains(last);
            if (!lastAllowed) {
                fail(cacheName + " key " + key + ": last delivered " + (got.isEmpty() ? "nothing" : last)
                        + ", but its last acknowledged op #" + h.lastAcked + " left " + guaranteed + " ("
                        + h.states.size() + " ops begun; received " + got + ")");
            }
            int at = -1; // the op the states received so far name, at least
            for (String state : got) {
                int op = state == null ? firstRemovalFrom(h, Math.max(at, 0), at) : Integer.parseInt(state);
                if (op < 0 || op >= h.states.size() || !Objects.equals(h.states.get(op), state) || op < at) {
                    fail(cacheName + " key " + key + ": received " + got + ", which goes back (or names no op) at "
                            + state + " after op #" + at + "; states " + h.states);
                }
                at = op;
            }
            if (!Objects.equals(cached.get(key), last)) {
                fail(cacheName + " key " + key + ": the cache holds " + cached.get(key) + " but the writer last "
                        + "received " + last);
            }
        }
    }

    /** The first removal at or after {@code from} (after {@code at} if that op was not itself a removal), or -1. */
    private static int firstRemovalFrom(KeyHistory h, int from, int at) {
        for (int i = from; i < h.states.size(); i++) {
            if (h.states.get(i) == null && (i > at || h.states.get(at) == null)) {
                return i;
            }
        }
        return -1;
    }
}
