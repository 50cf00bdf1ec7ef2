package dev.persist.store;

import dev.persist.store.log.LogScanner;
import dev.persist.store.log.RecordFormat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Damaged logs: truncation at every byte offset, random byte flips, and salvage.
 *
 * <p>The log is written through the store (one record per call at WRITE), in three namespaces, with overwrites,
 * deletes (one of a key that never existed), an empty value, binary values, a key long enough for a two-byte length
 * varint and non-ASCII keys. After each call the file size gives the record's end, and the expected raw state after
 * each prefix of records is computed independently from the list of operations. Damaged copies are opened both with
 * no map registered (every record is an orphan, compared byte for byte) and, in some cases, with typed maps.
 */
class CorruptionTest {
    static final long SEED = Long.getLong("corruption.seed", System.nanoTime());
    static final int FLIP_CASES = 1200;

    /** Held so the level sticks: every damaged open logs a WARNING, thousands of them here. */
    private static final java.util.logging.Logger STORE_LOG = java.util.logging.Logger.getLogger(Store.class.getName());

    @TempDir
    Path dir;

    @BeforeAll
    static void quiet() {
        STORE_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    @AfterAll
    static void loud() {
        STORE_LOG.setLevel(null);
    }

    /** One record: a set ({@code value != null}) or a delete. */
    record Op(String ns, String key, byte[] value) {
    }

    private final List<Op> ops = new ArrayList<>();
    /** {@code boundary[i]}: file offset where record i starts; {@code boundary[n]}: file length. */
    private long[] boundary;
    private byte[] original;
    private Path work;

    @BeforeEach
    void buildLog() throws IOException {
        Random rnd = new Random(42); // the log itself is fixed; the seed varies the damage
        byte[] bin = new byte[40];
        rnd.nextBytes(bin);
        byte[] bin2 = new byte[300];
        rnd.nextBytes(bin2);
        String longKey = "k".repeat(200);
        Path log = dir.resolve("source.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, Integer> alpha = store.map("alpha", Codecs.utf8(), Codecs.json(Integer.class));
            PersistMap<String, byte[]> beta = store.map("beta", Codecs.utf8(), Codecs.raw());
            PersistMap<String, String> gamma = store.map("gamma", Codecs.utf8(), Codecs.json(String.class));
            List<Runnable> calls = new ArrayList<>();
            // each call writes exactly one record; its Op is recorded next to it
            addSet(calls, alpha, "a1", 1);
            addSet(calls, alpha, "a2", 2);
            addSetRaw(calls, beta, "empty", new byte[0]);
            addSet(calls, gamma, "ключ-ü", "wert");
            addSet(calls, alpha, "a3", 3);
            addSetRaw(calls, beta, "bin", bin);
            addSet(calls, alpha, "a2", 22);
            addDelete(calls, alpha, "a3");
            addSetRaw(calls, beta, longKey, bin2);
            addSet(calls, gamma, "g1", "one");
            addDelete(calls, gamma, "never-existed");
            addSet(calls, alpha, "a3", 33);
            addSetRaw(calls, beta, "bin", Arrays.copyOf(bin, 10));
            addSet(calls, gamma, "g2", "two");
            addDelete(calls, beta, "empty");
            addSet(calls, alpha, "a4", 4);
            addSet(calls, gamma, "g1", "uno");
            addSet(calls, alpha, "a1", 11);
            addDelete(calls, gamma, "ключ-ü");
            addSetRaw(calls, beta, "empty", new byte[] {0});
            for (int i = 0; i < 10; i++) {
                switch (rnd.nextInt(3)) {
                    case 0 -> addSet(calls, alpha, "a" + rnd.nextInt(6), rnd.nextInt(1000));
                    case 1 -> addSet(calls, gamma, "g" + rnd.nextInt(4), "v" + rnd.nextInt(1000));
                    default -> addDelete(calls, alpha, "a" + rnd.nextInt(6));
                }
            }
            addSet(calls, gamma, "last", "the end");
            boundary = new long[calls.size() + 1];
            // the records' bytes: the file itself runs past them while open (zeros ahead of mapped appends)
            boundary[0] = store.stats().logBytes();
            for (int i = 0; i < calls.size(); i++) {
                calls.get(i).run();
                boundary[i + 1] = store.stats().logBytes();
            }
        }
        original = Files.readAllBytes(log);
        assertThat(boundary[0]).isEqualTo(RecordFormat.HEADER_SIZE);
        assertThat(original.length).isEqualTo(boundary[ops.size()]);
        for (int i = 0; i < ops.size(); i++) {
            // one record per call, and its length field agrees with the file
            long size = boundary[i + 1] - boundary[i];
            assertThat(size).isGreaterThan(RecordFormat.RECORD_PREFIX);
            assertThat(RecordFormat.RECORD_PREFIX + LogScanner.readInt(original, (int) boundary[i])).isEqualTo(size);
        }
        assertThat(ops).hasSizeGreaterThanOrEqualTo(30);
        work = dir.resolve("damaged.log");
    }

    private void addSet(List<Runnable> calls, PersistMap<String, Integer> m, String key, int value) {
        ops.add(new Op(m.name(), key, Integer.toString(value).getBytes(StandardCharsets.UTF_8)));
        calls.add(() -> m.set(key, value, Durability.WRITE));
    }

    private void addSet(List<Runnable> calls, PersistMap<String, String> m, String key, String value) {
        ops.add(new Op(m.name(), key, Codecs.json(String.class).encode(value)));
        calls.add(() -> m.set(key, value, Durability.WRITE));
    }

    private void addSetRaw(List<Runnable> calls, PersistMap<String, byte[]> m, String key, byte[] value) {
        ops.add(new Op(m.name(), key, value.clone()));
        calls.add(() -> m.set(key, value, Durability.WRITE));
    }

    private <V> void addDelete(List<Runnable> calls, PersistMap<String, V> m, String key) {
        ops.add(new Op(m.name(), key, null));
        calls.add(() -> m.delete(key, Durability.WRITE));
    }

    // ---- expected and actual states: "ns/key" -> hex of the value bytes ----

    /** The state after the records whose index is in {@code included}. */
    private Map<String, String> stateOf(Set<Integer> included) {
        Map<String, String> s = new TreeMap<>();
        for (int i = 0; i < ops.size(); i++) {
            if (!included.contains(i)) {
                continue;
            }
            Op op = ops.get(i);
            if (op.value == null) {
                s.remove(op.ns + "/" + op.key);
            } else {
                s.put(op.ns + "/" + op.key, HexFormat.of().formatHex(op.value));
            }
        }
        return s;
    }

    private Map<String, String> prefixState(int records) {
        Set<Integer> first = new TreeSet<>();
        for (int i = 0; i < records; i++) {
            first.add(i);
        }
        return stateOf(first);
    }

    /** What an open found. */
    record Opened(Map<String, String> state, StoreStats stats, long fileLengthAfter) {
    }

    /** Opens the damaged copy; {@code typed}: with the three maps registered first, else everything is orphan. */
    private Opened open(boolean typed, boolean salvage) throws IOException {
        Store store = new Store(StoreOptions.defaults().salvage(salvage));
        Map<String, String> state = new TreeMap<>();
        PersistMap<String, Integer> alpha = null;
        PersistMap<String, byte[]> beta = null;
        PersistMap<String, String> gamma = null;
        if (typed) {
            alpha = store.map("alpha", Codecs.utf8(), Codecs.json(Integer.class));
            beta = store.map("beta", Codecs.utf8(), Codecs.raw());
            gamma = store.map("gamma", Codecs.utf8(), Codecs.json(String.class));
        }
        StoreStats stats;
        try {
            store.openLog(work);
            if (typed) {
                alpha.forEach((k, v) -> state.put("alpha/" + k, hex(Codecs.json(Integer.class).encode(v))));
                beta.forEach((k, v) -> state.put("beta/" + k, hex(v)));
                gamma.forEach((k, v) -> state.put("gamma/" + k, hex(Codecs.json(String.class).encode(v))));
                assertThat(store.orphanNamespaces()).isEmpty();
            } else {
                for (String ns : store.orphanNamespaces()) {
                    for (OrphanRecord r : store.orphans(ns)) {
                        state.put(ns + "/" + new String(r.key(), StandardCharsets.UTF_8), hex(r.value()));
                    }
                }
            }
            stats = store.stats();
        } finally {
            store.close();
        }
        assertThat(stats.undecodableRecords()).isZero();
        assertThat(stats.failure()).isNull();
        return new Opened(state, stats, LogBytes.of(work));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private void writeCopy(byte[] bytes) throws IOException {
        LogBytes.deleteNumberedSegments(work); // segments a salvaging open's shrink wrote for the last copy
        Files.write(work, bytes);
    }

    // ---- (a) truncation ----

    /**
     * Every truncation opens, with exactly the state of the records wholly before the cut, the rest reported as a
     * torn tail and cut off; and the next record appended after it is read back cleanly (not glued onto half a
     * record). A cut inside the 16-byte header leaves a prefix of a valid header: the store takes it for a file
     * whose creation was cut short, rewrites the header and opens empty, reporting the partial header as torn
     * bytes (0 for an empty file, which is simply new).
     */
    @Test
    void truncationAtEveryOffsetOpensWithTheLongestCompletePrefix() throws IOException {
        int n = ops.size();
        int opens = 0;
        for (int len = 0; len <= original.length; len++) {
            writeCopy(Arrays.copyOf(original, len));
            int complete = 0;
            while (complete < n && boundary[complete + 1] <= len) {
                complete++;
            }
            long expectedTorn = len < RecordFormat.HEADER_SIZE ? len : len - boundary[complete];
            long expectedLength = Math.max(boundary[complete], RecordFormat.HEADER_SIZE);
            String at = "truncated to " + len + " of " + original.length + " bytes";
            Opened o = open(len % 2 == 0, false);
            opens++;
            assertThat(o.state()).as(at).isEqualTo(prefixState(complete));
            assertThat(o.stats().tornBytesTruncated()).as(at).isEqualTo(expectedTorn);
            assertThat(o.stats().logRecords()).as(at).isEqualTo(complete);
            assertThat(o.fileLengthAfter()).as(at + ": the torn tail is cut off").isEqualTo(expectedLength);
            assertThat(Arrays.copyOf(Files.readAllBytes(work), RecordFormat.HEADER_SIZE)).as(at)
                    .isEqualTo(RecordFormat.header());

            // append after the cut, reopen: the new record and the old prefix, nothing torn
            try (Store store = Store.open(work)) {
                store.map("delta", Codecs.utf8(), Codecs.json(Integer.class)).set("after", len, Durability.WRITE);
            }
            Opened again = open(false, false);
            opens += 2;
            Map<String, String> expected = new TreeMap<>(prefixState(complete));
            expected.put("delta/after", hex(Integer.toString(len).getBytes(StandardCharsets.UTF_8)));
            assertThat(again.state()).as(at + ", then appended to").isEqualTo(expected);
            assertThat(again.stats().tornBytesTruncated()).as(at + ", then appended to").isZero();
        }
        System.out.printf("CorruptionTest: %d truncations, %d opens%n", original.length + 1, opens);
    }

    // ---- (b) flipped bytes ----

    /**
     * 1 to 3 bytes changed anywhere: the log either opens with the state of the records before the first damaged
     * one (when no intact record follows the damage, which is indistinguishable from a torn tail) or refuses with a
     * CorruptLogException naming the file and the offset of the first damaged record (offset 0: the header). Never a
     * wrong value, never another exception.
     */
    @Test
    void flippedBytesOpenAsAPrefixOrFailAtTheDamagedRecord() throws IOException {
        Random rnd = new Random(SEED);
        int n = ops.size();
        int refused = 0;
        int torn = 0;
        for (int c = 0; c < FLIP_CASES; c++) {
            byte[] bytes = original.clone();
            int flips = 1 + rnd.nextInt(3);
            TreeSet<Integer> positions = new TreeSet<>();
            while (positions.size() < flips) {
                positions.add(rnd.nextInt(bytes.length));
            }
            for (int p : positions) {
                bytes[p] ^= (byte) (1 + rnd.nextInt(255)); // always a different byte
            }
            writeCopy(bytes);
            String what = "case " + c + " (seed " + SEED + ", rerun with -Dcorruption.seed=" + SEED + "): bytes "
                    + positions + " changed in a log of " + bytes.length;

            int first = positions.first();
            long expectedOffset;
            int damagedRecord = -1;
            boolean intactAfter = false;
            if (first < RecordFormat.HEADER_SIZE) {
                expectedOffset = 0;
                intactAfter = true; // a bad header is never a torn tail
            } else {
                damagedRecord = recordAt(first);
                expectedOffset = boundary[damagedRecord];
                for (int j = damagedRecord + 1; j < n; j++) {
                    if (positions.subSet((int) boundary[j], (int) boundary[j + 1]).isEmpty()) {
                        intactAfter = true;
                    }
                }
            }
            try {
                Opened o = open(c % 4 == 0, false);
                if (intactAfter) {
                    fail(what + ": opened (state " + o.state() + ") but expected a CorruptLogException at offset "
                            + expectedOffset);
                }
                assertThat(o.state()).as(what).isEqualTo(prefixState(damagedRecord));
                assertThat(o.stats().tornBytesTruncated()).as(what).isEqualTo(bytes.length - expectedOffset);
                assertThat(o.fileLengthAfter()).as(what).isEqualTo(expectedOffset);
                torn++;
            } catch (CorruptLogException e) {
                if (!intactAfter) {
                    throw new AssertionError(what + ": expected a torn tail at " + expectedOffset + ", got " + e, e);
                }
                assertThat(e.offset()).as(what + ": " + e.getMessage()).isEqualTo(expectedOffset);
                assertThat(e.file()).as(what).isEqualTo(work.toAbsolutePath().normalize());
                assertThat(e.getMessage()).as(what).contains(work.toAbsolutePath().normalize().toString())
                        .contains("offset " + expectedOffset);
                assertThat(Files.readAllBytes(work)).as(what + ": a refused log is left as it was").isEqualTo(bytes);
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": unexpected " + e, e);
            }
        }
        System.out.printf("CorruptionTest: %d flip cases (seed %d): %d refused, %d opened as a torn tail%n",
                FLIP_CASES, SEED, refused, torn);
        assertThat(refused).isGreaterThan(FLIP_CASES / 2);
        assertThat(torn).isGreaterThan(0);
    }

    private int recordAt(long offset) {
        for (int i = 0; i < ops.size(); i++) {
            if (offset < boundary[i + 1]) {
                return i;
            }
        }
        throw new IllegalArgumentException("offset " + offset + " past the log");
    }

    // ---- (c) salvage ----

    /**
     * With salvage, damage to one record in the middle (any record but the last), or to two, opens with every other
     * record's effect, reports the skipped bytes, and rewrites the log, so that it then opens without salvage.
     */
    @Test
    void salvageSkipsDamagedRecordsAndRewritesTheLog() throws IOException {
        Random rnd = new Random(SEED + 1);
        int n = ops.size();
        List<int[]> cases = new ArrayList<>();
        for (int m = 0; m < n - 1; m++) {
            cases.add(new int[] {m});
        }
        for (int i = 0; i < 10; i++) {
            int a = rnd.nextInt(n - 3);
            cases.add(new int[] {a, a + 2 + rnd.nextInt(n - a - 3)}); // two damaged records, not adjacent
        }
        for (int k = 0; k < cases.size(); k++) {
            int[] damaged = cases.get(k);
            byte[] bytes = original.clone();
            Set<Integer> kept = new TreeSet<>();
            for (int i = 0; i < n; i++) {
                kept.add(i);
            }
            long skipped = 0;
            List<Integer> positions = new ArrayList<>();
            for (int m : damaged) {
                int p = (int) (boundary[m] + rnd.nextInt((int) (boundary[m + 1] - boundary[m])));
                bytes[p] ^= (byte) (1 + rnd.nextInt(255));
                positions.add(p);
                kept.remove(m);
                skipped += boundary[m + 1] - boundary[m];
            }
            writeCopy(bytes);
            String what = "records " + Arrays.toString(damaged) + " damaged at " + positions + " (seed " + SEED + ")";

            Opened salvaged = open(k % 2 == 1, true);
            assertThat(salvaged.state()).as(what).isEqualTo(stateOf(kept));
            assertThat(salvaged.stats().salvagedBytes()).as(what).isEqualTo(skipped).isGreaterThan(0);
            assertThat(salvaged.stats().tornBytesTruncated()).as(what).isZero();
            assertThat(salvaged.stats().shrinks()).as(what + ": the log is rewritten").isEqualTo(1);

            Opened plain = open(k % 2 == 0, false);
            assertThat(plain.state()).as(what + ", reopened without salvage").isEqualTo(stateOf(kept));
            assertThat(plain.stats().salvagedBytes()).isZero();
            assertThat(plain.stats().tornBytesTruncated()).isZero();
        }

        // damage in the last record is a torn tail, with salvage or without
        byte[] bytes = original.clone();
        bytes[(int) boundary[n - 1] + 5] ^= 0x40;
        writeCopy(bytes);
        Opened o = open(false, true);
        assertThat(o.state()).isEqualTo(prefixState(n - 1));
        assertThat(o.stats().salvagedBytes()).isZero();
        assertThat(o.stats().tornBytesTruncated()).isEqualTo(original.length - boundary[n - 1]);
        System.out.printf("CorruptionTest: %d salvage cases%n", cases.size() + 1);
    }
}
