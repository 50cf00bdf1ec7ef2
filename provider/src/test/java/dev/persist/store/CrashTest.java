package dev.persist.store;

import dev.persist.testkit.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a real child JVM ({@link CrashChild}) with SIGKILL at a random moment while it writes, then reopens the
 * store and checks that everything it acknowledged is there.
 *
 * <p>Each variant kills the child again and again on the same log file, so later runs also recover logs that
 * earlier kills left behind (a truncated torn tail followed by new appends, a shrink's leftovers), and every
 * entry recovered in an earlier round must stay exactly as it was.
 *
 * <p>Torn tails: a SIGKILL never tears one {@code write(2)} of a few bytes, so the child writes its log through a
 * {@link dev.persist.testkit.SplittingChannel} (each write in pieces, with a pause between them) and kills land
 * inside records. The WRITE/FSYNC variant requires that some run actually found a torn tail and truncated it
 * ({@code stats().tornBytesTruncated() > 0}), while every acknowledged record survived; the others report theirs.
 *
 * <p>Randomised from one seed, printed at the start and in every failure; rerun a failure with
 * {@code -Dcrash.seed=<seed>}.
 */
class CrashTest {
    static final long SEED = Long.getLong("crash.seed", System.nanoTime());
    private static final Object ABSENT = "<absent>";

    @TempDir
    Path dir;

    /** WRITE and FSYNC calls: every acknowledged call survives the kill of the process. */
    @Test
    void writeAndFsyncSurviveSigkill() throws Exception {
        Summary s = runVariant("SYNC", 10);
        assertThat(s.acks).as("acknowledged writes in all runs").isGreaterThan(1000);
        assertThat(s.tornTails).as("runs whose kill tore a record that the next open truncated").isPositive();
    }

    /** ASYNC calls: everything acknowledged before the last completed fsyncAll() began survives. */
    @Test
    void asyncSurvivesUpToTheLastFsyncAll() throws Exception {
        Summary s = runVariant("ASYNC", 7);
        assertThat(s.runsWithSync).as("runs in which some fsyncAll() completed before the kill")
                .isGreaterThanOrEqualTo(5);
    }

    /** Kills while shrink() runs in a loop beside WRITE/FSYNC writers: the log is the old one or the new one. */
    @Test
    void killDuringShrink() throws Exception {
        Summary s = runVariant("SHRINK", 7);
        assertThat(s.shrinks).as("completed shrinks in all runs").isGreaterThan(0);
        assertThat(s.killsMidShrink).as("kills that landed inside a shrink").isGreaterThan(0);
    }

    static final class Summary {
        int kills;
        long acks;
        int runsWithSync;
        long shrinks;
        int killsMidShrink;
        int shrinkFilesLeft;
        int tornTails;
        long tornBytes;
    }

    private Summary runVariant(String mode, int kills) throws Exception {
        long seed = SEED ^ mode.hashCode();
        String rerun = "CrashTest " + mode + " seed=" + SEED + " (rerun with -Dcrash.seed=" + SEED + ")";
        System.out.println(rerun);
        Random rnd = new Random(seed);
        Path log = dir.resolve(mode.toLowerCase() + ".log");
        Path shrinkFile = Shrinker.tempFileOf(log.toAbsolutePath().normalize());
        Map<String, Object> known = new HashMap<>();
        if (mode.equals("SHRINK")) {
            for (int i = 0; i < CrashChild.BULK_KEYS; i++) {
                known.put("bulk/b" + i, CrashChild.bulkValue(i)); // written before STARTED: always present
            }
        }
        Summary summary = new Summary();
        long started = System.nanoTime();
        for (int run = 0; run < kills; run++) {
            List<String> lines;
            boolean shrinkFileLeft;
            int delay = 100 + rnd.nextInt(700);
            try (ChildJvm child = ChildJvm.start(dir, CrashChild.class, log.toString(), mode,
                    Integer.toString(run), Long.toString(rnd.nextLong()))) {
                child.awaitLine("STARTED", 60_000);
                Thread.sleep(delay);
                child.kill();
                shrinkFileLeft = Files.exists(shrinkFile);
                lines = child.linesToEof();
                child.assertEndedByTheKill(rerun + ", run " + run);
                for (String line : lines) {
                    if (line.startsWith("ERROR")) {
                        throw new AssertionError(rerun + ", run " + run + ": the child failed: " + line + "\n"
                                + child.describe());
                    }
                }
            }
            try {
                verify(mode, run, lines, log, known, summary);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(rerun + ", run " + run + " (killed " + delay + " ms after STARTED, "
                        + lines.size() + " lines): " + e.getMessage(), e);
            }
            assertThat(Files.exists(shrinkFile)).as(rerun + ": open removes a dead shrink's file").isFalse();
            if (shrinkFileLeft) {
                summary.shrinkFilesLeft++;
            }
            summary.kills++;
        }
        System.out.printf("CrashTest %s: %d kills, %d acks, %d runs with a completed fsyncAll, %d shrinks, "
                        + "%d kills mid-shrinking (%d left a .shrink file), %d torn tails (%d bytes), %d ms%n", mode,
                summary.kills, summary.acks, summary.runsWithSync, summary.shrinks, summary.killsMidShrink,
                summary.shrinkFilesLeft, summary.tornTails,
                summary.tornBytes, (System.nanoTime() - started) / 1_000_000);
        return summary;
    }

    /** One key's operations, in program order (a key of {@code kv} belongs to one child thread). */
    private static final class Op {
        final boolean set;
        final long value;
        int ackIndex = -1;

        Op(boolean set, long value) {
            this.set = set;
            this.value = value;
        }

        Object stateAfter() {
            return set ? (Object) value : ABSENT;
        }
    }

    private static final class Counter {
        long begun;
        long maxGuaranteed;
    }

    private static void verify(String mode, int run, List<String> lines, Path log, Map<String, Object> known,
                               Summary summary) {
        // what the child said, line by line
        Map<String, List<Op>> ops = new LinkedHashMap<>();
        Map<String, Counter> counters = new HashMap<>();
        Map<Integer, Integer> syncBegin = new HashMap<>();
        int lastSynced = -1;
        Integer lastShrinkBegun = null;
        int lastShrunk = 0;
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ");
            switch (f[0]) {
                case "B" -> {
                    String key = f[2] + "/" + f[3];
                    switch (f[1]) {
                        case "S" -> ops.computeIfAbsent(key, k -> new ArrayList<>()).add(new Op(true, Long.parseLong(f[4])));
                        case "D" -> ops.computeIfAbsent(key, k -> new ArrayList<>()).add(new Op(false, 0));
                        case "U" -> counters.computeIfAbsent(key, k -> new Counter()).begun++;
                        default -> throw new AssertionError("bad line " + lines.get(i));
                    }
                }
                case "A" -> {
                    String key = f[2] + "/" + f[3];
                    summary.acks++;
                    if (f[1].equals("U")) {
                        continue; // evaluated below, once the cutoff is known
                    }
                    List<Op> list = ops.get(key);
                    Op last = list == null ? null : list.get(list.size() - 1);
                    if (last == null || last.ackIndex >= 0 || last.set != f[1].equals("S")
                            || (last.set && last.value != Long.parseLong(f[4]))) {
                        throw new AssertionError("ack without its begin: " + lines.get(i));
                    }
                    last.ackIndex = i;
                }
                case "SYNC-BEGIN" -> syncBegin.put(Integer.parseInt(f[1]), i);
                case "SYNCED" -> lastSynced = Integer.parseInt(f[1]);
                case "SHRINK-BEGIN" -> lastShrinkBegun = Integer.parseInt(f[1]);
                case "SHRUNK" -> {
                    lastShrunk = Integer.parseInt(f[1]);
                    summary.shrinks++;
                }
                case "STARTED" -> { }
                default -> throw new AssertionError("unexpected line from the child: " + lines.get(i));
            }
        }
        if (lastShrinkBegun != null && lastShrinkBegun != lastShrunk) {
            summary.killsMidShrink++;
        }
        // acknowledgements before this line index must have survived
        int cutoff;
        if (mode.equals("ASYNC")) {
            cutoff = lastSynced < 0 ? -1 : syncBegin.get(lastSynced);
            if (lastSynced >= 0) {
                summary.runsWithSync++;
            }
        } else {
            cutoff = lines.size();
        }
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ");
            if (f[0].equals("A") && f[1].equals("U") && i < cutoff) {
                Counter c = counters.get(f[2] + "/" + f[3]);
                c.maxGuaranteed = Math.max(c.maxGuaranteed, Long.parseLong(f[4]));
            }
        }

        // what survived
        Map<String, Object> actual = new HashMap<>();
        StoreStats stats;
        Store store = new Store();
        try {
            PersistMap<String, Long> kv = store.map("kv", Codecs.utf8(), Codecs.json(Long.class));
            PersistMap<String, Long> ctr = store.map("ctr", Codecs.utf8(), Codecs.json(Long.class));
            PersistMap<String, String> bulk = store.map("bulk", Codecs.utf8(), Codecs.json(String.class));
            store.openLog(log); // must open: SIGKILL never leaves corruption, only a torn tail
            kv.forEach((k, v) -> actual.put("kv/" + k, v));
            ctr.forEach((k, v) -> actual.put("ctr/" + k, v));
            bulk.forEach((k, v) -> actual.put("bulk/" + k, v));
            stats = store.stats();
            assertThat(store.orphanNamespaces()).as("namespaces nobody wrote").isEmpty();
        } finally {
            store.close();
        }
        assertThat(stats.failure()).isNull();
        assertThat(stats.salvagedBytes()).isZero();
        assertThat(stats.undecodableRecords()).isZero();
        if (stats.tornBytesTruncated() > 0) {
            summary.tornTails++;
            summary.tornBytes += stats.tornBytesTruncated();
        }

        List<String> problems = new ArrayList<>();
        // entries recovered after earlier kills are untouched
        for (Map.Entry<String, Object> e : known.entrySet()) {
            Object now = actual.get(e.getKey());
            if (!e.getValue().equals(now)) {
                problems.add(e.getKey() + " was " + e.getValue() + " after an earlier kill, now " + now);
            }
        }
        String current = "r" + run + "-";
        Set<String> accounted = new HashSet<>(known.keySet());
        // keys of this run: the state after the last guaranteed acknowledgement, or after a later call begun
        for (Map.Entry<String, List<Op>> e : ops.entrySet()) {
            List<Op> list = e.getValue();
            int g = -1;
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).ackIndex >= 0 && list.get(i).ackIndex < cutoff) {
                    g = i;
                }
            }
            Set<Object> allowed = new HashSet<>();
            allowed.add(g < 0 ? ABSENT : list.get(g).stateAfter());
            for (int i = g + 1; i < list.size(); i++) {
                allowed.add(list.get(i).stateAfter());
            }
            Object now = actual.getOrDefault(e.getKey(), ABSENT);
            if (!allowed.contains(now)) {
                Op last = g < 0 ? null : list.get(g);
                problems.add(e.getKey() + " is " + now + "; last guaranteed acknowledgement: "
                        + (last == null ? "none" : last.set ? "set " + last.value : "delete")
                        + ", allowed " + allowed + " (" + list.size() + " calls)");
            }
            accounted.add(e.getKey());
        }
        for (Map.Entry<String, Counter> e : counters.entrySet()) {
            Object now = actual.get(e.getKey());
            long v = now == null ? 0 : (Long) now;
            Counter c = e.getValue();
            if (v < c.maxGuaranteed || v > c.begun) {
                problems.add(e.getKey() + " is " + v + ", acknowledged " + c.maxGuaranteed + ", increments begun "
                        + c.begun);
            }
            accounted.add(e.getKey());
        }
        for (String k : actual.keySet()) {
            if (!accounted.contains(k)) {
                problems.add("phantom entry " + k + " = " + actual.get(k)
                        + (k.contains(current) ? " (this run's key, never written)" : ""));
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " wrong entries after reopening (torn bytes "
                    + stats.tornBytesTruncated() + "):\n  " + String.join("\n  ", problems.subList(0,
                    Math.min(problems.size(), 30))));
        }
        known.clear();
        known.putAll(actual);
    }
}
