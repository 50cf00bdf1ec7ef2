package dev.persist.store;

import dev.persist.store.log.LogScanner;
import dev.persist.store.log.LogReplay;
import dev.persist.store.log.RecordFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Truncations and byte flips over logs of several shapes (complementing {@link CorruptionTest}'s hand-built log):
 * records larger than the scanner's 1 MiB read buffer, a log written by shrinking (with orphans and coalesced ASYNC
 * records), and many tiny records.
 *
 * <p>The expected outcome of each case comes from the writer's side only: {@link #build} keeps the history of what
 * the test wrote, in order (each WRITE-tier call's record; the records the writer emits in an order of its own, the
 * shrinking's snapshot and the ASYNC records coalesced at close, as a set), and the test lays that history over the
 * file by the records' exact encodings, which also checks that the file holds exactly what was written. No production
 * reader ({@link LogScanner}, {@link LogReplay}, {@link LogFiles}) is asked what the file holds. A cut opens with
 * exactly the records wholly before it; a flip in record i opens with records 0..i-1 if i is the last one (a torn
 * tail), and otherwise refuses with a {@link CorruptLogException} at record i's offset. Never a wrong value, never
 * another exception.
 *
 * <p>Cuts: random offsets; offsets -2..+2 around record boundaries; -9..+9 around each 1 MiB buffer boundary. A log
 * of at most {@value #BOUNDARY_BUDGET} records is cut around every boundary; a longer one (the 5,000 tiny records)
 * around every k-th boundary across the whole file, k chosen to keep about {@value #BOUNDARY_BUDGET} boundaries, from a
 * random start (so successive runs cover the other boundaries), plus the first and last three. With
 * {@code -D}{@value #ALL_BOUNDARIES_PROPERTY}{@code =true} every boundary of every shape is cut (about 25,000 cases for
 * the tiny records: a long run, not for CI). {@code -Dcorruption.seed=S} replays a run.
 */
class LogShapesFuzzTest {
    static final String ALL_BOUNDARIES_PROPERTY = "log.shapes.allBoundaries";
    static final int BOUNDARY_BUDGET = 200;

    @TempDir
    Path dir;

    enum Shape { LARGE_RECORDS, COMPACTED, MANY_TINY }

    private record Rec(long offset, boolean delete, String ns, String key, String valueHex) {
    }

    /** A value's length and SHA-256: as exact as its bytes for the comparison, and cheap for megabyte values. */
    private static String fingerprint(byte[] value) {
        try {
            return value.length + ":" + HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(value));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A record the test caused: namespace, key bytes, value bytes (null for a delete). */
    private record Written(String ns, byte[] key, byte[] value) {
        static Written set(String ns, byte[] key, byte[] value) {
            return new Written(ns, key, value);
        }

        static Written delete(String ns, byte[] key) {
            return new Written(ns, key, null);
        }

        byte[] encoded() {
            byte[] n = ns.getBytes(StandardCharsets.UTF_8);
            return value == null ? RecordFormat.encodeDelete(n, key) : RecordFormat.encodeSet(n, key, value);
        }
    }

    /**
     * What {@link #build} wrote into the final file, in file order: runs of records in the order the test wrote them,
     * and groups the writer emits in an order of its own (a shrink's snapshot, ASYNC records written at close).
     */
    private static final class History {
        final List<List<Written>> runs = new ArrayList<>();
        final List<Boolean> ordered = new ArrayList<>();

        void inOrder(List<Written> records) {
            runs.add(List.copyOf(records));
            ordered.add(true);
        }

        void anyOrder(Collection<Written> records) {
            runs.add(List.copyOf(records));
            ordered.add(false);
        }

        /** Lays the history over the file's bytes; fails unless the file is exactly the header and these records. */
        List<Rec> layOver(byte[] file) {
            List<Rec> recs = new ArrayList<>();
            int pos = RecordFormat.HEADER_SIZE;
            for (int r = 0; r < runs.size(); r++) {
                List<Written> left = new ArrayList<>(runs.get(r));
                while (!left.isEmpty()) {
                    Written found = null;
                    byte[] bytes = null;
                    for (Written w : ordered.get(r) ? left.subList(0, 1) : left) {
                        byte[] e = w.encoded();
                        if (pos + e.length <= file.length
                                && Arrays.equals(file, pos, pos + e.length, e, 0, e.length)) {
                            found = w;
                            bytes = e;
                            break;
                        }
                    }
                    if (found == null) {
                        throw new AssertionError("the file at offset " + pos + " is not the next record written ("
                                + (ordered.get(r) ? "expected " + describe(left.get(0)) : "none of " + left.size()
                                + " records of the writer's own order") + ")");
                    }
                    left.remove(found);
                    recs.add(new Rec(pos, found.value() == null, found.ns(), HexFormat.of().formatHex(found.key()),
                            found.value() == null ? null : fingerprint(found.value())));
                    pos += bytes.length;
                }
            }
            assertThat(pos).as("end of the last record written").isEqualTo(file.length);
            return recs;
        }

        private static String describe(Written w) {
            return (w.value() == null ? "delete " : "set ") + w.ns() + "/" + new String(w.key(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void truncationsAndFlipsOpenAsAPrefixOrFailAtTheDamagedRecord(Shape shape) throws Exception {
        long seed = Long.getLong("corruption.seed", System.nanoTime());
        Random rnd = new Random(seed);
        Path source = dir.resolve(shape + ".log");
        History history = build(shape, source);
        List<Path> segments = LogFiles.segments(source);
        if (!segments.get(0).equals(source)) {
            // a shrink retired segment 0 (emptied it) and left the log in one later segment: the shapes are about
            // one file's bytes, and a segment is in the one file format
            assertThat(segments).hasSize(1);
            Files.move(segments.get(0), source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        byte[] original = Files.readAllBytes(source);
        List<Rec> recs = history.layOver(original);
        long[] boundary = new long[recs.size() + 1];
        for (int i = 0; i < recs.size(); i++) {
            boundary[i] = recs.get(i).offset();
        }
        boundary[recs.size()] = original.length;
        int cases = shape == Shape.LARGE_RECORDS ? 120 : 400;
        Path work = scratchDir().resolve("work.log");
        try {
            // truncations: random offsets, and offsets next to record boundaries and 1 MiB buffer boundaries
            TreeSet<Long> cuts = new TreeSet<>();
            for (int i = 0; i < cases; i++) {
                cuts.add((long) RecordFormat.HEADER_SIZE + (long) (rnd.nextDouble() * (original.length - RecordFormat.HEADER_SIZE)));
            }
            int stride = Boolean.getBoolean(ALL_BOUNDARIES_PROPERTY) ? 1
                    : Math.max(1, (boundary.length + BOUNDARY_BUDGET - 1) / BOUNDARY_BUDGET);
            int first = rnd.nextInt(stride);
            int boundariesCut = 0;
            for (int i = 0; i < boundary.length; i++) {
                if (i % stride != first && i >= 3 && i < boundary.length - 3) {
                    continue;
                }
                boundariesCut++;
                for (long d = -2; d <= 2; d++) {
                    long b = boundary[i];
                    if (b + d >= RecordFormat.HEADER_SIZE && b + d <= original.length) {
                        cuts.add(b + d);
                    }
                }
            }
            for (long mib = 1 << 20; mib < original.length; mib += 1 << 20) {
                for (long d = -9; d <= 9; d++) {
                    cuts.add(mib + d);
                }
            }
            System.out.printf("LogShapesFuzzTest %s: %d records, %d of %d boundaries cut (every %d from %d), %d cuts, "
                    + "%d flips, seed %d%n", shape, recs.size(), boundariesCut, boundary.length, stride, first,
                    cuts.size(), cases, seed);
            assertThat(boundariesCut).as("boundaries cut").isGreaterThanOrEqualTo(
                    Math.min(boundary.length, BOUNDARY_BUDGET / 2));
            for (long cut : cuts) {
                Files.write(work, java.util.Arrays.copyOf(original, (int) cut));
                int complete = recordsWhollyBefore(boundary, cut);
                Map<String, String> opened = openState(work);
                assertThat(opened).as("%s cut at %d (seed %d)", shape, cut, seed).isEqualTo(stateOf(recs, complete));
            }
            // flips of one byte after the header
            for (int i = 0; i < cases; i++) {
                int at = RecordFormat.HEADER_SIZE + rnd.nextInt(original.length - RecordFormat.HEADER_SIZE);
                byte[] damaged = original.clone();
                damaged[at] ^= (byte) (1 + rnd.nextInt(255));
                Files.write(work, damaged);
                int damagedRecord = recordsWhollyBefore(boundary, at + 1L) == recs.size()
                        ? recs.size() - 1 : recordContaining(boundary, at);
                String what = shape + " flip at " + at + " in record " + damagedRecord + " (seed " + seed + ")";
                if (damagedRecord == recs.size() - 1) {
                    assertThat(openState(work)).as(what).isEqualTo(stateOf(recs, damagedRecord));
                } else {
                    try {
                        openState(work);
                        fail(what + ": opened, but valid records follow the damage");
                    } catch (CorruptLogException e) {
                        assertThat(e.offset()).as(what).isEqualTo(boundary[damagedRecord]);
                        assertThat(e.getMessage()).contains(work.toString()).contains("offset " + boundary[damagedRecord]);
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("seed " + seed, e);
        }
    }

    private static int recordsWhollyBefore(long[] boundary, long cut) {
        int n = 0;
        while (n + 1 < boundary.length && boundary[n + 1] <= cut) {
            n++;
        }
        return n;
    }

    private static int recordContaining(long[] boundary, long at) {
        int i = 0;
        while (boundary[i + 1] <= at) {
            i++;
        }
        return i;
    }

    private static Map<String, String> stateOf(List<Rec> recs, int count) {
        Map<String, String> s = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            Rec r = recs.get(i);
            if (r.delete()) {
                s.remove(r.ns() + "/" + r.key());
            } else {
                s.put(r.ns() + "/" + r.key(), r.valueHex());
            }
        }
        return s;
    }

    /** Opens with no map registered: every record stays raw, so the state is exactly the log's bytes. */
    private static Map<String, String> openState(Path log) {
        Map<String, String> s = new TreeMap<>();
        try (Store store = Store.open(log)) {
            for (String ns : store.orphanNamespaces()) {
                for (OrphanRecord r : store.orphans(ns)) {
                    s.put(ns + "/" + HexFormat.of().formatHex(r.key()), fingerprint(r.value()));
                }
            }
        }
        return s;
    }

    /** @return a directory for the damaged copies: tmpfs if there is one (each open of a cut log fsyncs), else the test's */
    private Path scratchDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            Path d = Files.createTempDirectory(shm, "log-shapes-");
            scratch.add(d);
            return d;
        }
        return dir;
    }

    private final List<Path> scratch = new ArrayList<>();

    @AfterEach
    void removeScratch() throws IOException {
        for (Path d : scratch) {
            try (var files = Files.list(d)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(d);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a log of the shape and returns what was written, as the test knows it. */
    private static History build(Shape shape, Path log) {
        Random rnd = new Random(shape.ordinal());
        History history = new History();
        // no background syncer: ASYNC records reach the file only where this method says
        StoreOptions quiet = StoreOptions.defaults().syncInterval(java.time.Duration.ofHours(1));
        switch (shape) {
            case LARGE_RECORDS -> {
                List<Written> written = new ArrayList<>();
                try (Store store = Store.open(log, quiet)) {
                    PersistMap<String, byte[]> m = store.map("big", Codecs.utf8(), Codecs.raw());
                    int[] sizes = {700_000, 1_500_000, 10, 300_000, 2_100_000, 5};
                    for (int i = 0; i < sizes.length; i++) {
                        byte[] v = new byte[sizes[i]];
                        rnd.nextBytes(v);
                        m.set("k" + (i % 4), v, Durability.WRITE);
                        written.add(Written.set("big", utf8("k" + (i % 4)), v));
                    }
                    m.delete("k0", Durability.WRITE);
                    written.add(Written.delete("big", utf8("k0")));
                }
                history.inOrder(written);
            }
            case COMPACTED -> {
                try (Store store = Store.open(log, quiet)) {
                    store.map("legacy", Codecs.utf8(), Codecs.utf8()).set("old", "orphan-to-be", Durability.WRITE);
                }
                Codec<Integer> ints = Codecs.json(Integer.class);
                List<Written> afterShrink = new ArrayList<>();
                Map<String, Integer> pending = new TreeMap<>(); // ASYNC sets not yet written, by key
                try (Store store = Store.open(log, quiet)) {
                    PersistMap<String, Integer> m = store.map("live", Codecs.utf8(), ints);
                    Map<String, Integer> live = new TreeMap<>();
                    for (int i = 0; i < 2000; i++) {
                        String k = "k" + rnd.nextInt(100);
                        m.set(k, i, i % 2 == 0 ? Durability.ASYNC : Durability.WRITE);
                        live.put(k, i);
                    }
                    store.fsyncAll(); // into the old file, which the shrinking replaces
                    store.shrink(); // the snapshot: orphans and live entries, in the shrinker's order
                    List<Written> snapshot = new ArrayList<>();
                    snapshot.add(Written.set("legacy", utf8("old"), utf8("orphan-to-be")));
                    live.forEach((k, v) -> snapshot.add(Written.set("live", utf8(k), ints.encode(v))));
                    history.anyOrder(snapshot);
                    for (int i = 0; i < 40; i++) {
                        String k = "k" + rnd.nextInt(100);
                        if (rnd.nextBoolean()) {
                            m.delete(k, Durability.WRITE); // written now; supersedes a pending ASYNC set of k
                            pending.remove(k);
                            afterShrink.add(Written.delete("live", utf8(k)));
                        } else {
                            m.set(k, -i, Durability.ASYNC); // coalesced: the last one per key is written at close
                            pending.put(k, -i);
                        }
                    }
                }
                history.inOrder(afterShrink);
                List<Written> atClose = new ArrayList<>();
                pending.forEach((k, v) -> atClose.add(Written.set("live", utf8(k), ints.encode(v))));
                history.anyOrder(atClose);
            }
            case MANY_TINY -> {
                List<Written> written = new ArrayList<>();
                try (Store store = Store.open(log, quiet)) {
                    PersistMap<String, String> m = store.map("t", Codecs.utf8(), Codecs.utf8());
                    for (int i = 0; i < 5000; i++) {
                        String k = Integer.toString(rnd.nextInt(50));
                        if (rnd.nextInt(5) == 0) {
                            m.delete(k, Durability.WRITE); // a delete record even for an absent key
                            written.add(Written.delete("t", utf8(k)));
                        } else {
                            String v = Integer.toString(i, 36);
                            m.set(k, v, Durability.WRITE);
                            written.add(Written.set("t", utf8(k), utf8(v)));
                        }
                    }
                }
                history.inOrder(written);
            }
            default -> throw new AssertionError(shape);
        }
        return history;
    }
}
