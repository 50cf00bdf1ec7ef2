package dev.persist.jcache;

import dev.persist.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The crash loop: a child JVM changes a cache through the JCache API from several threads, with the store shrinking
 * in a loop beside them, and is killed with SIGKILL at a random moment; the parent reopens the store and checks every
 * key. Rounds cycle through the four tiers; each round uses a cache of its own in the same log, and every earlier
 * round's cache must still hold exactly what was found after its own kill.
 *
 * <p>What must hold for a key after a kill: its state is the state left by its last guaranteed operation, or by an
 * operation begun after that (which may or may not have reached the log). Guaranteed: at WRITE and FSYNC, every
 * acknowledged operation; at ASYNC, every operation acknowledged before the start of the last {@code fsyncAll()} that
 * completed; at MEMORY, nothing (then any state the key was ever given, or absent). The store must always open.
 *
 * <p>The child's threads cannot fail unnoticed: a thread that throws makes the child print {@code FAILED} and halt
 * with its own exit status, and each round requires the child to have ended by the kill (137) with no failure on
 * stderr and to have acknowledged at least {@value #MIN_ACKS_PER_ROUND} operations; over the whole run each worker
 * must have had at least {@value #MIN_ACKS_PER_WORKER} per round on average (one starved for a short round on a
 * loaded machine is no failure; a worker that never gets anything done is), and the run at least one completed
 * shrink per round.
 *
 * <p>{@value #ROUNDS_PROPERTY} sets the number of kills (default 50); {@value #SEED_PROPERTY} replays a run.
 */
class CrashLoopTest {
    static final String ROUNDS_PROPERTY = "crash.loop.rounds";
    static final String SEED_PROPERTY = "crash.loop.seed";
    private static final String[] TIERS = {"write", "fsync", "async", "memory"};
    private static final int THREADS = 3;
    private static final int KEYS_PER_THREAD = 8;
    /**
     * Fewest operations a round must acknowledge in all: the kill waits for this many (within a minute), then a
     * random time more, so a round always checks something, and a child whose workers die at once fails.
     */
    private static final int MIN_ACKS_PER_ROUND = 30;
    /** Fewest operations each worker must have acknowledged per round, on average over the run. */
    private static final int MIN_ACKS_PER_WORKER = 5;

    @TempDir
    Path dir;

    /** One key's history as the child printed it. */
    private static final class KeyHistory {
        final List<String> states = new ArrayList<>(); // state after op i (null: absent)
        int lastAcked = -1;                            // index of the last acknowledged op
        int lastGuaranteed = -1;                       // index of the last op that must have reached the log

        void begin(int seq, String state) {
            if (seq != states.size()) {
                throw new IllegalStateException("ops of a key out of order: " + seq + " after " + states.size());
            }
            states.add(state);
        }
    }

    @Test
    void noAcknowledgedChangeIsLostAcrossFiftyKills() throws Exception {
        int rounds = Integer.getInteger(ROUNDS_PROPERTY, 50);
        long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
        Random rnd = new Random(seed);
        Path log = dir.resolve("loop.log");
        Map<String, Map<String, String>> recovered = new HashMap<>(); // cache -> state found after its kill
        int killsDuringOps = 0;
        long acks = 0;
        long shrinks = 0;
        int fewestAcks = Integer.MAX_VALUE;
        long[] acksPerWorker = new long[THREADS];
        try {
            for (int round = 0; round < rounds; round++) {
                String tier = TIERS[round % TIERS.length];
                String cacheName = "round-" + round + "-" + tier;
                Round r = runAndKill(log, tier, cacheName, rnd.nextLong(), 150 + rnd.nextInt(650));
                Map<String, KeyHistory> histories = r.histories;
                // a round in which the workers did next to nothing checks next to nothing
                assertThat(r.acks).as("%s: acknowledged operations", cacheName)
                        .isGreaterThanOrEqualTo(MIN_ACKS_PER_ROUND);
                for (int w = 0; w < THREADS; w++) {
                    acksPerWorker[w] += r.acksPerWorker[w];
                }
                acks += r.acks;
                fewestAcks = Math.min(fewestAcks, r.acks);
                shrinks += r.shrinks;
                killsDuringOps += histories.values().stream().anyMatch(h -> h.states.size() > h.lastAcked + 1) ? 1 : 0;
                Map<String, String> found = check(log, cacheName, tier, histories, recovered);
                recovered.put(cacheName, found);
            }
            System.out.printf("CrashLoopTest: %d rounds, %d acknowledged operations (fewest in a round: %d), %d completed "
                    + "shrinks, %d kills with an operation in flight (seed %d)%n", rounds, acks, fewestAcks, shrinks,
                    killsDuringOps, seed);
            // most kills must land while operations were in flight, or the test proves little
            assertThat(killsDuringOps).as("kills with an operation in flight").isGreaterThan(rounds / 2);
            for (int w = 0; w < THREADS; w++) {
                assertThat(acksPerWorker[w]).as("operations acknowledged to worker %d in %d rounds", w, rounds)
                        .isGreaterThanOrEqualTo((long) MIN_ACKS_PER_WORKER * rounds);
            }
            // the shrinking loop must have run beside the workers, not died at its first shrink
            assertThat(shrinks).as("completed shrinks in %d rounds", rounds).isGreaterThanOrEqualTo(rounds);
        } catch (AssertionError | Exception e) {
            throw new AssertionError("crash loop failed; replay with -D" + SEED_PROPERTY + "=" + seed + ": " + e, e);
        }
    }

    /** What one child printed, replayed. */
    private static final class Round {
        final Map<String, KeyHistory> histories = new HashMap<>();
        int acks;
        int shrinks;
        final int[] acksPerWorker = new int[THREADS];
    }

    private Round runAndKill(Path log, String tier, String cacheName, long seed, long runMillis)
            throws Exception {
        Round round = new Round();
        Map<String, KeyHistory> histories = round.histories;
        List<String[]> lines = new ArrayList<>();
        String what = "cache " + cacheName + " (" + tier + ", killed " + runMillis + " ms after its " + MIN_ACKS_PER_ROUND
                + "th acknowledgement)";
        try (ChildJvm child = ChildJvm.start(dir, CrashLoopChild.class, log.toString(), tier, cacheName,
                String.valueOf(THREADS), String.valueOf(KEYS_PER_THREAD), String.valueOf(seed))) {
            child.awaitLine("READY", 60_000);
            // the kill's random moment counts from the round's first acknowledgements, not from READY: on a loaded
            // machine the workers may not have run at all 150 ms after READY, and such a round would check nothing
            for (int i = 0; i < MIN_ACKS_PER_ROUND; i++) {
                child.awaitLine("A ", 60_000);
            }
            Thread.sleep(runMillis);
            child.kill(); // SIGKILL; the child's stdout stays readable to EOF
            List<String> out = child.linesToEof();
            for (String line : out) {
                if (line.startsWith("FAILED")) {
                    fail(what + ": a thread of the child failed: " + line + "; " + child.describe());
                }
            }
            // a child that halted on its own, or logged a failure, fails the round even with no FAILED line
            child.assertEndedByTheKill(what);
            for (String line : out) {
                if (!line.equals("READY")) {
                    lines.add(line.split(" "));
                }
            }
        }
        // replay the printed events; at ASYNC, a completed fsyncAll guarantees what was acknowledged before it began
        Map<String, Integer> ackedAtSyncStart = null;
        Map<Integer, Map<String, Integer>> starts = new HashMap<>();
        for (String[] l : lines) {
            switch (l[0]) {
                case "B" -> histories.computeIfAbsent(l[1], k -> new KeyHistory())
                        .begin(Integer.parseInt(l[2]), l.length > 3 && !l[3].equals("-") ? l[3] : null);
                case "A" -> {
                    histories.get(l[1]).lastAcked = Integer.parseInt(l[2]);
                    round.acks++;
                    round.acksPerWorker[Integer.parseInt(l[1].substring(1, l[1].indexOf('-')))]++;
                }
                case "K" -> round.shrinks++;
                case "S" -> {
                    Map<String, Integer> acked = new HashMap<>();
                    histories.forEach((k, h) -> acked.put(k, h.lastAcked));
                    starts.put(Integer.parseInt(l[1]), acked);
                }
                case "E" -> ackedAtSyncStart = starts.get(Integer.parseInt(l[1]));
                default -> {
                    if (l.length > 0 && !l[0].isEmpty()) {
                        fail("unexpected line from the child: " + String.join(" ", l));
                    }
                }
            }
        }
        for (Map.Entry<String, KeyHistory> e : histories.entrySet()) {
            KeyHistory h = e.getValue();
            h.lastGuaranteed = switch (tier) {
                case "write", "fsync" -> h.lastAcked;
                case "async" -> ackedAtSyncStart == null ? -1 : ackedAtSyncStart.getOrDefault(e.getKey(), -1);
                default -> -1;
            };
        }
        return round;
    }

    private Map<String, String> check(Path log, String cacheName, String tier, Map<String, KeyHistory> histories,
                                      Map<String, Map<String, String>> earlier) throws IOException {
        Properties p = new Properties();
        p.setProperty("store.path", log.toString());
        Map<String, String> found = new HashMap<>();
        try (CacheManager m = new PersistCachingProvider().getCacheManager(URI.create("crash-loop-check"), null, p)) {
            Cache<String, String> c = m.createCache(cacheName, new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            for (Map.Entry<String, KeyHistory> e : histories.entrySet()) {
                String key = e.getKey();
                KeyHistory h = e.getValue();
                String actual = c.get(key);
                found.put(key, actual);
                boolean allowed;
                if (tier.equals("memory")) {
                    allowed = actual == null || h.states.contains(actual);
                } else {
                    int from = h.lastGuaranteed;
                    String guaranteedState = from < 0 ? null : h.states.get(from);
                    allowed = java.util.Objects.equals(actual, guaranteedState)
                            || h.states.subList(from + 1, h.states.size()).contains(actual);
                }
                if (!allowed) {
                    fail("cache " + cacheName + " (" + tier + ") key " + key + ": found " + actual
                            + ", last guaranteed op #" + h.lastGuaranteed + " left "
                            + (h.lastGuaranteed < 0 ? "nothing" : h.states.get(h.lastGuaranteed))
                            + ", " + h.states.size() + " ops begun, " + (h.lastAcked + 1) + " acknowledged");
                }
            }
            // every earlier round's cache still holds what was found after its kill
            for (Map.Entry<String, Map<String, String>> e : earlier.entrySet()) {
                Cache<String, String> old = m.createCache(e.getKey(), new MutableConfiguration<String, String>()
                        .setTypes(String.class, String.class));
                e.getValue().forEach((k, v) -> assertThat(old.get(k)).as("%s %s after later kills", e.getKey(), k)
                        .isEqualTo(v));
            }
        }
        return found;
    }
}
