package dev.persist.store;

import dev.persist.testkit.RegisterHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent set / delete / get / update on a few keys of a PersistMap, at mixed tiers, recorded and checked for
 * linearizability key by key; then the log, replayed, must hold the final memory state.
 */
class LinearizabilityTest {
    @TempDir
    Path dir;

    private static final int THREADS = 4;
    private static final int KEYS = 3;
    private static final int OPS_PER_THREAD = 12; // about 16 per key: the search stays small
    private static final int ROUNDS = 60;

    @Test
    void persistMapIsLinearizablePerKeyAndTheLogAgreesWithMemory() throws Exception {
        Path log = dir.resolve("lin.log");
        Random seeds = new Random(20261125);
        AtomicInteger unique = new AtomicInteger(1);
        Durability[] tiers = Durability.values();
        int checkedOps = 0;
        Map<String, Map<String, Integer>> finalStates = new HashMap<>();
        try (Store store = Store.open(log)) {
            for (int round = 0; round < ROUNDS; round++) {
                PersistMap<String, Integer> m = store.map("round" + round, Codecs.utf8(), Codecs.json(Integer.class));
                Map<String, RegisterHistory> histories = RegisterHistory.record(THREADS, KEYS, OPS_PER_THREAD, seeds,
                        (rnd, key, history) -> record(m, history, key, rnd.nextInt(10), tiers[rnd.nextInt(tiers.length)],
                                unique));
                for (Map.Entry<String, RegisterHistory> e : histories.entrySet()) {
                    assertThat(e.getValue().linearizable(null))
                            .as("round %d key %s: no linearization of %d operations", round, e.getKey(), e.getValue().size())
                            .isTrue();
                    checkedOps += e.getValue().size();
                }
                // make MEMORY-tier changes (sets and deletes) durable too, so the log must equal memory
                m.forEach((k, v) -> m.set(k, v, Durability.WRITE));
                for (int k = 0; k < KEYS; k++) {
                    if (!m.containsKey("k" + k)) {
                        m.delete("k" + k, Durability.WRITE);
                    }
                }
                Map<String, Integer> state = new HashMap<>();
                m.forEach(state::put);
                finalStates.put(m.name(), state);
            }
        }
        assertThat(checkedOps).isEqualTo(ROUNDS * THREADS * OPS_PER_THREAD);
        try (Store reopened = Store.open(log)) {
            for (int round = 0; round < ROUNDS; round++) {
                Map<String, Integer> replayed = new HashMap<>();
                reopened.orphans("round" + round).forEach(r -> replayed.put(r.keyAsString(),
                        r.value(Codecs.json(Integer.class))));
                assertThat(replayed).as("round %d", round).isEqualTo(finalStates.get("round" + round));
            }
        }
    }

    private static void record(PersistMap<String, Integer> m, RegisterHistory h, String key, int dice,
                               Durability tier, AtomicInteger unique) {
        long t0 = System.nanoTime();
        if (dice < 3) {
            int v = unique.getAndIncrement();
            m.set(key, v, tier);
            h.add(new RegisterHistory.Op(RegisterHistory.Kind.SET, null, v, t0, System.nanoTime()));
        } else if (dice < 4) {
            m.delete(key, tier);
            h.add(new RegisterHistory.Op(RegisterHistory.Kind.DELETE, null, null, t0, System.nanoTime()));
        } else if (dice < 7) {
            Integer got = m.get(key);
            h.add(new RegisterHistory.Op(RegisterHistory.Kind.GET, got, null, t0, System.nanoTime()));
        } else {
            int v = unique.getAndIncrement();
            Integer[] seen = new Integer[1];
            m.update(key, u -> {
                seen[0] = u.value();
                u.set(v);
            }, tier);
            h.add(new RegisterHistory.Op(RegisterHistory.Kind.UPDATE, seen[0], v, t0, System.nanoTime()));
        }
    }

    @Test
    void theCheckerRejectsAHistoryThatIsNotLinearizable() {
        RegisterHistory h = new RegisterHistory();
        // set(1) returns, then set(2) returns, then a get that starts afterwards still sees 1: a stale read
        h.add(new RegisterHistory.Op(RegisterHistory.Kind.SET, null, 1, 0, 10));
        h.add(new RegisterHistory.Op(RegisterHistory.Kind.SET, null, 2, 20, 30));
        h.add(new RegisterHistory.Op(RegisterHistory.Kind.GET, 1, null, 40, 50));
        assertThat(h.linearizable(null)).isFalse();
        // the same read overlapping set(2) is fine: it may be ordered before it
        RegisterHistory overlapping = new RegisterHistory();
        overlapping.add(new RegisterHistory.Op(RegisterHistory.Kind.SET, null, 1, 0, 10));
        overlapping.add(new RegisterHistory.Op(RegisterHistory.Kind.SET, null, 2, 20, 45));
        overlapping.add(new RegisterHistory.Op(RegisterHistory.Kind.GET, 1, null, 40, 50));
        assertThat(overlapping.linearizable(null)).isTrue();
        // a lost update: two updates both saw "absent"
        RegisterHistory lost = new RegisterHistory();
        lost.add(new RegisterHistory.Op(RegisterHistory.Kind.UPDATE, null, 1, 0, 10));
        lost.add(new RegisterHistory.Op(RegisterHistory.Kind.UPDATE, null, 2, 5, 15));
        assertThat(lost.linearizable(null)).isFalse();
    }
}
