package dev.persist.store;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * records larger than the scanner's 1 MiB read buffer, a log written by compaction (with orphans and coalesced ASYNC
 * records), and many tiny records. The expected outcome of each case is derived from the original file's own
 * records: a cut opens with exactly the records wholly before it; a flip in record i opens with records 0..i-1 if i is
 * the last one (a torn tail), and otherwise refuses with a {@link CorruptLogException} at record i's offset. Never a
 * wrong value, never another exception.
 */
class LogShapesFuzzTest {
    @TempDir
    Path dir;

    enum Shape { LARGE_RECORDS, COMPACTED, MANY_TINY }

    private record Rec(long offset, boolean delete, String ns, String key, String valueHex) {
    }

    @ParameterizedTest
    @EnumSource(Shape.class)
    void truncationsAndFlipsOpenAsAPrefixOrFailAtTheDamagedRecord(Shape shape) throws Exception {
        long seed = Long.getLong("corruption.seed", System.nanoTime());
        Random rnd = new Random(seed);
        Path source = dir.resolve(shape + ".log");
        build(shape, source);
        byte[] original = Files.readAllBytes(source);
        List<Rec> recs = new ArrayList<>();
        assertThat(LogFiles.read(source, r -> recs.add(new Rec(r.offset(), r.delete(), r.namespace(),
                HexFormat.of().formatHex(r.key()), HexFormat.of().formatHex(r.value()))))).isEmpty();
        long[] boundary = new long[recs.size() + 1];
        for (int i = 0; i < recs.size(); i++) {
            boundary[i] = recs.get(i).offset();
        }
        boundary[recs.size()] = original.length;
        int cases = shape == Shape.LARGE_RECORDS ? 120 : 400;
        Path work = dir.resolve("work.log");
        try {
            // truncations: random offsets, and every offset next to a record boundary or a 1 MiB buffer boundary
            TreeSet<Long> cuts = new TreeSet<>();
            for (int i = 0; i < cases; i++) {
                cuts.add((long) RecordFormat.HEADER_SIZE + (long) (rnd.nextDouble() * (original.length - RecordFormat.HEADER_SIZE)));
            }
            for (long b : boundary) {
                for (long d = -2; d <= 2 && cuts.size() < cases * 2; d++) {
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
                    s.put(ns + "/" + HexFormat.of().formatHex(r.key()), HexFormat.of().formatHex(r.value()));
                }
            }
        }
        return s;
    }

    private static void build(Shape shape, Path log) {
        Random rnd = new Random(shape.ordinal());
        switch (shape) {
            case LARGE_RECORDS -> {
                try (Store store = Store.open(log)) {
                    PersistMap<String, byte[]> m = store.map("big", Codecs.utf8(), Codecs.raw());
                    int[] sizes = {700_000, 1_500_000, 10, 300_000, 2_100_000, 5};
                    for (int i = 0; i < sizes.length; i++) {
                        byte[] v = new byte[sizes[i]];
                        rnd.nextBytes(v);
                        m.set("k" + (i % 4), v, Durability.WRITE);
                    }
                    m.delete("k0", Durability.WRITE);
                }
            }
            case COMPACTED -> {
                try (Store store = Store.open(log)) {
                    store.map("legacy", Codecs.utf8(), Codecs.utf8()).set("old", "orphan-to-be", Durability.WRITE);
                }
                try (Store store = Store.open(log)) {
                    PersistMap<String, Integer> m = store.map("live", Codecs.utf8(), Codecs.json(Integer.class));
                    for (int i = 0; i < 2000; i++) {
                        m.set("k" + rnd.nextInt(100), i, i % 2 == 0 ? Durability.ASYNC : Durability.WRITE);
                    }
                    store.shrink(); // the snapshot: orphans and live entries written by the compactor
                    for (int i = 0; i < 40; i++) {
                        if (rnd.nextBoolean()) {
                            m.delete("k" + rnd.nextInt(100), Durability.WRITE);
                        } else {
                            m.set("k" + rnd.nextInt(100), -i, Durability.ASYNC);
                        }
                    }
                }
            }
            case MANY_TINY -> {
                try (Store store = Store.open(log)) {
                    PersistMap<String, String> m = store.map("t", Codecs.utf8(), Codecs.utf8());
                    for (int i = 0; i < 5000; i++) {
                        if (rnd.nextInt(5) == 0) {
                            m.delete(Integer.toString(rnd.nextInt(50)), Durability.WRITE);
                        } else {
                            m.set(Integer.toString(rnd.nextInt(50)), Integer.toString(i, 36), Durability.WRITE);
                        }
                    }
                }
            }
            default -> throw new AssertionError(shape);
        }
    }
}
