package dev.persist.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Corruption fuzzing of a store with a disk-backed namespace: the index file cut at every byte offset and with random
 * bytes changed, and random bytes changed in the log region the index file covers (so the open does not scan it and
 * the damage is met only when a disk-resident record is read back).
 *
 * <p>The store is written once (a fixed log: 240 keys of a disk-backed namespace {@code d} with values from empty to
 * over 8 KiB, 40 keys of a namespace {@code m} held in memory, overwrites and deletes of both, one record per call at
 * WRITE, the file size after each call giving each record's byte range) and closed, which writes {@code <log>.index}.
 * Each case copies the store's directory (every file in it, found by listing it), damages one file and opens the copy.
 * The expected state is computed from the list of operations, never by the store's reader. The test depends on the
 * index file only through its name, {@code <log>.index} next to the log, not on its layout.
 *
 * <p>{@code -Ddisk.fuzz.seed=S} replays a run (the seed is printed, and named in every failure);
 * {@code -Ddisk.fuzz.cases=N} sets the number of flip cases of each kind (default 300).
 */
class DiskFuzzTest {
    static final long SEED = Long.getLong("disk.fuzz.seed", System.nanoTime());
    static final int CASES = Integer.getInteger("disk.fuzz.cases", 300);
    /** Cut the index file at every offset (about 6,000 opens) instead of every offset of its first and last 64 bytes
     *  and every 11th between. */
    static final boolean ALL_CUTS = Boolean.getBoolean("disk.fuzz.allCuts");
    /** Bytes of the covered log whose checksum the index file holds (disk.md): damage there makes the open scan. */
    static final int TAIL_CHECK = 64 * 1024;

    /** Held so the level sticks: every case logs a WARNING (index file not used) or an ERROR (damaged read). */
    private static final java.util.logging.Logger STORE_LOGS = java.util.logging.Logger.getLogger("dev.persist.store");

    @TempDir
    Path dir;

    @BeforeAll
    static void quiet() {
        STORE_LOGS.setLevel(java.util.logging.Level.OFF);
    }

    @AfterAll
    static void loud() {
        STORE_LOGS.setLevel(null);
    }

    /** One record: a set ({@code value != null}) or a delete. */
    record Op(String ns, String key, byte[] value) {
    }

    private final List<Op> ops = new ArrayList<>();
    /** {@code boundary[i]}: file offset where record i starts; {@code boundary[n]}: the log's length. */
    private long[] boundary;
    private Path source;
    private String logName;
    private byte[] originalLog;
    private byte[] originalIndex;
    /** "ns/key" -> value after every op; keys ever written but deleted at the end map to null. */
    private Map<String, byte[]> expected;
    /** "d/key" -> the index of the op whose record holds the key's value at the end. */
    private Map<String, Integer> liveRecordOf;
    private Path scratch;

    private static StoreOptions options() {
        return StoreOptions.defaults().syncInterval(Duration.ofHours(1)).diskNamespaces("d"::equals);
    }

    private static PersistMap<String, byte[]> diskMap(Store store) {
        return store.map(MapConfig.of("d", Codecs.utf8(), Codecs.raw()).memory(new ConcurrentHashMap<>())
                .disk(1L << 30));
    }

    private static PersistMap<String, byte[]> memoryMap(Store store) {
        return store.map("m", Codecs.utf8(), Codecs.raw());
    }

    @BeforeEach
    void buildStore() throws IOException {
        source = dir.resolve("source");
        logName = "fuzz.log";
        Path log = source.resolve(logName);
        Random rnd = new Random(42); // the store itself is fixed; the seed varies the damage
        List<Runnable> calls = new ArrayList<>();
        try (Store store = Store.open(log, options())) {
            PersistMap<String, byte[]> d = diskMap(store);
            PersistMap<String, byte[]> m = memoryMap(store);
            Map<String, Boolean> live = new LinkedHashMap<>();
            for (int i = 0; i < 240; i++) {
                set(calls, d, "k" + i, value(rnd, i));
                live.put("d/k" + i, true);
                if (i % 6 == 0) {
                    set(calls, m, "h" + i / 6, small(rnd));
                }
            }
            for (int i = 0; i < 120; i++) {
                int k = rnd.nextInt(240);
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        if (live.get("d/k" + k)) {
                            delete(calls, d, "k" + k);
                            live.put("d/k" + k, false);
                        }
                    }
                    case 1 -> set(calls, m, "h" + rnd.nextInt(40), small(rnd));
                    default -> {
                        set(calls, d, "k" + k, value(rnd, rnd.nextInt(300)));
                        live.put("d/k" + k, true);
                    }
                }
            }
            delete(calls, m, "h3");
            delete(calls, m, "h7");
            set(calls, m, "h7", new byte[0]);
            set(calls, d, "last", "the last record".getBytes()); // a fresh key: a torn tail drops only it
            boundary = new long[calls.size() + 1];
            // the records' bytes: the file itself runs past them while open (zeros ahead of mapped appends)
            boundary[0] = store.stats().logBytes();
            for (int i = 0; i < calls.size(); i++) {
                calls.get(i).run();
                boundary[i + 1] = store.stats().logBytes();
            }
        }
        originalLog = Files.readAllBytes(log);
        originalIndex = Files.readAllBytes(indexOf(log));
        assertThat(originalLog.length).as("the index file written at close covers the whole log")
                .isEqualTo(boundary[ops.size()]);
        for (int i = 0; i < ops.size(); i++) {
            // one record per call: its length field (u32, the record's first bytes) agrees with the file sizes
            long size = boundary[i + 1] - boundary[i];
            assertThat(8L + ByteBuffer.wrap(originalLog, (int) boundary[i], 4).getInt()).as("record " + i)
                    .isEqualTo(size);
        }
        expected = new LinkedHashMap<>();
        liveRecordOf = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            expected.put(op.ns + "/" + op.key, op.value);
            if (op.ns.equals("d")) {
                liveRecordOf.put("d/" + op.key, op.value == null ? null : i);
            }
        }
        assertThat(expected.values().stream().filter(v -> v != null && v.length == 0).count()).isPositive();
        assertThat(expected.values().stream().filter(v -> v != null && v.length > 8192).count()).isGreaterThan(5);
        assertThat(originalLog.length).as("more than the checked tail").isGreaterThan(3 * TAIL_CHECK);
        scratch = scratchRoot();
        System.out.printf("DiskFuzzTest: log of %d bytes, %d records; index file of %d bytes; %d keys (%d live)%n",
                originalLog.length, ops.size(), originalIndex.length, expected.size(),
                expected.values().stream().filter(v -> v != null).count());
    }

    /** Values of varied sizes: empty, small, and (every 20th key) over 8 KiB. */
    private static byte[] value(Random rnd, int i) {
        int size = i % 20 == 7 ? 8193 + rnd.nextInt(12_000) : i % 37 == 0 ? 0 : rnd.nextInt(200);
        byte[] v = new byte[size];
        rnd.nextBytes(v);
        return v;
    }

    /** Values of the namespace held in memory: the index file holds them whole, so they are kept small. */
    private static byte[] small(Random rnd) {
        byte[] v = new byte[rnd.nextInt(24)];
        rnd.nextBytes(v);
        return v;
    }

    private void set(List<Runnable> calls, PersistMap<String, byte[]> map, String key, byte[] value) {
        ops.add(new Op(map.name(), key, value.clone()));
        calls.add(() -> map.set(key, value, Durability.WRITE));
    }

    private void delete(List<Runnable> calls, PersistMap<String, byte[]> map, String key) {
        ops.add(new Op(map.name(), key, null));
        calls.add(() -> assertThat(map.delete(key, Durability.WRITE)).isTrue());
    }

    private static Path indexOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".index");
    }

    /** tmpfs if there is one (every open and close fsyncs), else the test's directory. */
    private Path scratchRoot() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, "disk-fuzz-");
        }
        return Files.createDirectories(dir.resolve("scratch"));
    }

    @AfterEach
    void removeScratch() throws IOException {
        clear(scratch);
        Files.deleteIfExists(scratch);
    }

    private static void clear(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
    }

    /** Replaces the scratch directory's files by a copy of every file of the store's directory. */
    private Path copyOfStore() throws IOException {
        clear(scratch);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, scratch.resolve(f.getFileName()));
            }
        }
        return scratch.resolve(logName);
    }

    /** What one open read: each key's value (null: a miss) and the counters. */
    record Read(Map<String, byte[]> values, int diskSize, int memorySize, boolean fromIndex, StoreStats stats) {
    }

    private Read openAndReadAll(Path log) {
        try (Store store = Store.open(log, options())) {
            PersistMap<String, byte[]> d = diskMap(store);
            PersistMap<String, byte[]> m = memoryMap(store);
            Map<String, byte[]> values = new LinkedHashMap<>();
            for (String k : expected.keySet()) {
                String key = k.substring(2);
                values.put(k, k.startsWith("d/") ? d.get(key) : m.get(key));
            }
            return new Read(values, d.size(), m.size(), store.openedFromIndex(), store.stats());
        }
    }

    private String describe(Map<String, byte[]> values, String key) {
        byte[] v = values.get(key);
        return v == null ? "a miss" : v.length + " bytes " + abbreviated(v);
    }

    private static String abbreviated(byte[] v) {
        String hex = HexFormat.of().formatHex(v, 0, Math.min(v.length, 16));
        return v.length > 16 ? hex + "..." : hex;
    }

    private static String firstDifference(byte[] got, byte[] want) {
        if (got == null || want == null) {
            return "";
        }
        int i = Arrays.mismatch(got, want);
        return i < 0 ? "" : " (first difference at byte " + i + ")";
    }

    private long liveCount(String prefix) {
        return expected.entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && e.getValue() != null).count();
    }

    // ---- (1) the index file damaged, the log intact ----

    /**
     * The index file cut at every byte offset (by default: every offset of its first and last 64 bytes and every 11th
     * between), then 1 to 3 of its bytes changed at random offsets: every open
     * succeeds, reads every key of both namespaces back exactly (a damaged file is detected and the log scanned), and
     * a cut file is never used.
     */
    @Test
    void aDamagedIndexFileIsNotUsedAndEveryKeyReadsBack() throws IOException {
        int cuts = 0;
        for (int len = 0; len < originalIndex.length; len++) {
            if (!ALL_CUTS && len > 64 && len < originalIndex.length - 64 && len % 11 != 0) {
                continue;
            }
            Path log = copyOfStore();
            Files.write(indexOf(log), Arrays.copyOf(originalIndex, len));
            String what = "index file cut to " + len + " of " + originalIndex.length + " bytes";
            Read r = openAndReadAll(log);
            assertThat(r.fromIndex()).as(what).isFalse();
            checkAllExact(r, what);
            cuts++;
        }

        Random rnd = new Random(SEED);
        int usedAnyway = 0;
        int scanned = 0;
        for (int c = 0; c < CASES; c++) {
            byte[] bytes = originalIndex.clone();
            int flips = 1 + rnd.nextInt(3);
            List<Integer> positions = new ArrayList<>();
            for (int f = 0; f < flips; f++) {
                int p = rnd.nextInt(bytes.length);
                positions.add(p);
                bytes[p] ^= (byte) (1 + rnd.nextInt(255));
            }
            if (Arrays.equals(bytes, originalIndex)) { // two flips of one byte that cancel out
                continue;
            }
            Path log = copyOfStore();
            Files.write(indexOf(log), bytes);
            String what = "flip case " + c + " (seed " + SEED + ", rerun with -Ddisk.fuzz.seed=" + SEED
                    + "): index file bytes " + positions + " of " + bytes.length + " changed";
            Read r = openAndReadAll(log);
            checkAllExact(r, what);
            if (r.fromIndex()) {
                usedAnyway++;
            } else {
                scanned++;
            }
        }
        System.out.printf("DiskFuzzTest: index file: %d cuts, none used; %d flip cases (seed %d): %d used the file,"
                + " %d scanned the log%n", cuts, usedAnyway + scanned, SEED, usedAnyway, scanned);
        // control: the undamaged file is used
        Read r = openAndReadAll(copyOfStore());
        assertThat(r.fromIndex()).as("the undamaged index file").isTrue();
        checkAllExact(r, "the undamaged index file");
    }

    private void checkAllExact(Read r, String what) {
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            byte[] got = r.values().get(e.getKey());
            if (!Arrays.equals(got, e.getValue())) {
                fail(what + ": " + e.getKey() + " read " + describe(r.values(), e.getKey()) + ", expected "
                        + (e.getValue() == null ? "a miss" : e.getValue().length + " bytes " + abbreviated(e.getValue()))
                        + firstDifference(got, e.getValue()) + " (opened from the index file: " + r.fromIndex() + ")");
            }
        }
        assertThat(r.diskSize()).as(what + ": keys of d").isEqualTo(liveCount("d/"));
        assertThat(r.memorySize()).as(what + ": keys of m").isEqualTo(liveCount("m/"));
        assertThat(r.stats().damagedReads()).as(what).isZero();
        assertThat(r.stats().tornBytesTruncated()).as(what).isZero();
    }

    // ---- (2) the log damaged where the index file covers it ----

    /**
     * One byte changed in the log the (valid) index file covers. In the log's header: the open refuses, naming the
     * file. In the last 64 KiB of the covered bytes: the index file is not used (its checksum of them fails) and the
     * scan refuses at the damaged record, naming the file, or cuts it off if it is the last record. Elsewhere: the
     * open uses the index file, and every key reads its exact value, except the one whose live record holds the
     * changed byte (if any), which is a miss, counted in {@code damagedReads} and dropped. Never a different value.
     */
    @Test
    void aChangedByteInACoveredRecordIsAMissOfItsKeyNeverAnotherValue() throws IOException {
        Random rnd = new Random(SEED + 1);
        long covered = originalLog.length;
        long tailStart = Math.max(16, covered - TAIL_CHECK);
        int n = ops.size();
        int refused = 0;
        int torn = 0;
        int fromIndexMiss = 0;
        int fromIndexIntact = 0;
        for (int c = 0; c < CASES; c++) {
            int p = c == 0 ? 5 : c == 1 ? (int) boundary[n - 1] + 9 : rnd.nextInt((int) covered);
            Path log = copyOfStore();
            byte[] bytes = originalLog.clone();
            bytes[p] ^= (byte) (1 + rnd.nextInt(255));
            Files.write(log, bytes);
            int rec = p < boundary[0] ? -1 : recordAt(p);
            String what = "case " + c + " (seed " + SEED + ", rerun with -Ddisk.fuzz.seed=" + SEED + "): log byte " + p
                    + " of " + covered + " changed, " + (rec < 0 ? "in the header" : "in record " + rec + " "
                    + ops.get(rec).ns + "/" + ops.get(rec).key + (ops.get(rec).value == null ? " (a delete)" : ""));
            Read r;
            try {
                r = openAndReadAll(log);
            } catch (CorruptLogException e) {
                Path file = log.toAbsolutePath().normalize();
                assertThat(e.file()).as(what).isEqualTo(file);
                assertThat(e.getMessage()).as(what).contains(file.toString());
                if (rec < 0) {
                    assertThat(e.offset()).as(what).isZero();
                } else {
                    assertThat(p).as(what + ": refused, but the index file should have spared the scan: " + e)
                            .isGreaterThanOrEqualTo((int) tailStart);
                    assertThat(rec).as(what + ": the last record's damage is a torn tail").isLessThan(n - 1);
                    assertThat(e.offset()).as(what).isEqualTo(boundary[rec]);
                }
                refused++;
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError(what + ": unexpected " + e, e);
            }
            if (rec < 0) {
                fail(what + ": opened with a damaged header");
            }
            if (p >= tailStart) {
                // the index file is not used: a full scan, which opens only if the damage is a torn tail
                assertThat(r.fromIndex()).as(what).isFalse();
                assertThat(rec).as(what + ": opened past damage followed by valid records").isEqualTo(n - 1);
                assertThat(r.stats().tornBytesTruncated()).as(what).isEqualTo(covered - boundary[n - 1]);
                for (Map.Entry<String, byte[]> e : expected.entrySet()) {
                    byte[] want = e.getKey().equals("d/last") ? null : e.getValue();
                    if (!Arrays.equals(r.values().get(e.getKey()), want)) {
                        fail(what + ": " + e.getKey() + " read " + describe(r.values(), e.getKey()));
                    }
                }
                torn++;
                continue;
            }
            assertThat(r.fromIndex()).as(what + ": the index file describes this log").isTrue();
            String hit = null; // the key whose live record holds the changed byte
            for (Map.Entry<String, Integer> e : liveRecordOf.entrySet()) {
                if (e.getValue() != null && e.getValue() == rec) {
                    hit = e.getKey();
                }
            }
            for (Map.Entry<String, byte[]> e : expected.entrySet()) {
                byte[] got = r.values().get(e.getKey());
                if (got == null && e.getValue() != null) {
                    if (!e.getKey().equals(hit)) {
                        fail(what + ": " + e.getKey() + " is a miss, but its record is intact");
                    }
                } else if (!Arrays.equals(got, e.getValue())) {
                    fail(what + ": " + e.getKey() + " read " + describe(r.values(), e.getKey()) + " instead of "
                            + (e.getValue() == null ? "a miss" : e.getValue().length + " bytes "
                            + abbreviated(e.getValue())) + firstDifference(got, e.getValue())
                            + ": a damaged record returned as a value");
                }
            }
            if (hit != null) {
                assertThat(r.values().get(hit)).as(what + ": a changed byte the record check did not see").isNull();
                assertThat(r.stats().damagedReads()).as(what).isEqualTo(1);
                assertThat(r.diskSize()).as(what + ": the damaged entry is dropped").isEqualTo(liveCount("d/") - 1);
                fromIndexMiss++;
            } else {
                assertThat(r.stats().damagedReads()).as(what).isZero();
                assertThat(r.diskSize()).as(what).isEqualTo(liveCount("d/"));
                fromIndexIntact++;
            }
            assertThat(r.memorySize()).as(what).isEqualTo(liveCount("m/"));
        }
        System.out.printf("DiskFuzzTest: covered log: %d flip cases (seed %d): %d refused, %d cut off as a torn tail,"
                + " %d opened from the index file with the damaged key a miss, %d with the damage in a dead or"
                + " memory-held record (every key exact)%n", CASES, SEED, refused, torn, fromIndexMiss,
                fromIndexIntact);
        assertThat(fromIndexMiss).isPositive();
    }

    private int recordAt(long offset) {
        for (int i = 0; i < ops.size(); i++) {
            if (offset < boundary[i + 1]) {
                return i;
            }
        }
        throw new IllegalArgumentException("offset " + offset + " past the log");
    }
}
