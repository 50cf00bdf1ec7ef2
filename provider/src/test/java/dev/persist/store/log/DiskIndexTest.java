package dev.persist.store.log;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The disk index as a map: against a {@link HashMap} model through growth, arena compaction and deletion by
 * backward shift; lock-free reads while other keys change; iteration; the live-bytes count; its heap per entry.
 */
class DiskIndexTest {
    private static final int HEADER = RecordFormat.HEADER_SIZE;

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A position in segment {@code segment} at an offset past the header. */
    private static long position(int segment, long offset) {
        return DiskIndex.position(segment, HEADER + offset);
    }

    @Test
    void agreesWithAMapThroughGrowthCompactionAndRemoval() {
        DiskIndex index = new DiskIndex();
        Map<String, long[]> model = new HashMap<>(); // key -> {position, length}
        Random random = new Random(7);
        for (int step = 0; step < 200_000; step++) {
            // keys of 0 to 300 bytes: varint lengths of one and two bytes
            int n = random.nextInt(5_000);
            String k = n % 97 == 0 ? "long-" + "x".repeat(n % 300) + n : Integer.toString(n);
            if (random.nextInt(3) == 0) {
                assertThat(index.remove(key(k))).as("remove %s", k).isEqualTo(model.remove(k) != null);
            } else {
                long pos = position(random.nextInt(4), random.nextInt(1 << 30));
                int len = 1 + random.nextInt(2000);
                index.put(key(k), pos, len, random.nextBoolean());
                model.put(k, new long[] {pos, len});
            }
            if (step % 10_000 == 0) {
                assertSame(index, model);
            }
        }
        assertSame(index, model);
        for (String k : new ArrayList<>(model.keySet())) {
            assertThat(index.remove(key(k))).isTrue();
        }
        assertThat(index.size()).isZero();
        assertThat(index.liveBytes()).isZero();
        assertThat(index.entries()).isEmpty();
    }

    private static void assertSame(DiskIndex index, Map<String, long[]> model) {
        assertThat(index.size()).isEqualTo(model.size());
        long live = 0;
        for (Map.Entry<String, long[]> m : model.entrySet()) {
            long location = index.location(key(m.getKey()));
            assertThat(location).as(m.getKey()).isNotEqualTo(DiskIndex.NONE);
            assertThat(DiskIndex.offset(location)).as(m.getKey()).isEqualTo(m.getValue()[0]);
            assertThat(index.length(key(m.getKey()), location)).isEqualTo((int) m.getValue()[1]);
            live += m.getValue()[1];
        }
        assertThat(index.liveBytes()).isEqualTo(live);
        Set<String> seen = new HashSet<>();
        for (DiskIndex.Entry e : index.entries()) {
            String k = new String(e.key, StandardCharsets.UTF_8);
            assertThat(seen.add(k)).as("seen twice: %s", k).isTrue();
            assertThat(DiskIndex.offset(e.location())).isEqualTo(model.get(k)[0]);
        }
        assertThat(seen).isEqualTo(model.keySet());
        assertThat(index.location(key("never-put"))).isEqualTo(DiskIndex.NONE);
    }

    @Test
    void aLongRecordKeepsItsLengthAsideAndGivesItBack() {
        DiskIndex index = new DiskIndex();
        int big = 3 << 20;
        index.put(key("big"), position(0, 0), big, false);
        long location = index.location(key("big"));
        assertThat(index.length(key("big"), location)).isEqualTo(big);
        assertThat(index.liveBytes()).isEqualTo(big);
        index.put(key("big"), position(0, 5000), 100, false);
        assertThat(index.liveBytes()).isEqualTo(100);
        index.put(key("big"), position(1, 0), big + 1, true);
        assertThat(index.length(key("big"), index.location(key("big")))).isEqualTo(big + 1);
        assertThat(index.remove(key("big"))).isTrue();
        assertThat(index.liveBytes()).isZero();
    }

    @Test
    void removeInDropsTheEntriesOfRetiredSlotsOnly() {
        DiskIndex index = new DiskIndex();
        for (int i = 0; i < 10_000; i++) {
            index.put(key("k" + i), position(i % 3, i * 10L), 10, false);
        }
        BitSet gone = new BitSet();
        gone.set((int) DiskIndex.slotOf(1));
        assertThat(index.removeIn(gone)).isEqualTo(3_333);
        assertThat(index.size()).isEqualTo(6_667);
        for (int i = 0; i < 10_000; i++) {
            assertThat(index.contains(key("k" + i))).as("k" + i).isEqualTo(i % 3 != 1);
        }
        assertThat(index.liveBytes()).isEqualTo(66_670);
    }

    @Test
    void aLocationAtASegmentsFirstByteIsRefused() {
        DiskIndex index = new DiskIndex();
        assertThatThrownBy(() -> index.put(key("k"), DiskIndex.position(0, 0), 1 << 21, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header");
    }

    @Test
    void theCallersKeyArrayIsCopied() {
        DiskIndex index = new DiskIndex();
        byte[] k = key("abc");
        index.put(k, position(0, 0), 10, false);
        k[0] = 'x';
        assertThat(index.contains(key("abc"))).isTrue();
        assertThat(index.contains(k)).isFalse();
    }

    /**
     * Readers that take no lock, while writers add, move and remove other keys (growing the tables and compacting
     * the arenas): a key nobody changes is always found, at its location.
     */
    @Test
    void lockFreeReadsFindStableKeysWhileOtherKeysChange() throws Exception {
        DiskIndex index = new DiskIndex();
        int stable = 2_000;
        for (int i = 0; i < stable; i++) {
            index.put(key("stable-" + i), position(1, i * 100L), 100, false);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            threads.add(new Thread(() -> {
                Random random = new Random(writer);
                try {
                    for (int round = 0; !stop.get(); round++) {
                        for (int i = 0; i < 5_000; i++) {
                            index.put(key("churn-" + writer + "-" + i + "-" + "y".repeat(i % 40)),
                                    position(2, random.nextInt(1 << 30)), 50, false);
                        }
                        for (int i = 0; i < 5_000; i++) {
                            index.remove(key("churn-" + writer + "-" + i + "-" + "y".repeat(i % 40)));
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (int r = 0; r < 2; r++) {
            int reader = r;
            threads.add(new Thread(() -> {
                Random random = new Random(100 + reader);
                try {
                    while (!stop.get()) {
                        int i = random.nextInt(stable);
                        long location = index.location(key("stable-" + i));
                        if (location == DiskIndex.NONE || DiskIndex.offset(location) != position(1, i * 100L)) {
                            throw new AssertionError("stable-" + i + " read as " + location);
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        threads.forEach(Thread::start);
        Thread.sleep(3_000);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(index.size()).isEqualTo(stable);
        assertThat(index.liveBytes()).isEqualTo(stable * 100L);
    }

    /**
     * The point of the primitive tables: a million 7-byte keys take well under the 86 bytes plus the key per entry
     * that a map of entry objects took, and no object per entry.
     */
    @Test
    void heapPerEntryIsTheTablesAndTheKeyBytes() {
        int n = 1_000_000;
        DiskIndex index = new DiskIndex(n);
        for (int i = 0; i < n; i++) {
            index.put(key(Integer.toString(1_000_000 + i)), position(0, i * 10L), 10, false);
        }
        double perEntry = (double) index.heapBytes() / n;
        assertThat(perEntry).as("bytes per entry").isLessThan(48);
    }
}
