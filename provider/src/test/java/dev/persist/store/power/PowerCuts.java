package dev.persist.store.power;

import dev.persist.store.CorruptLogException;
import dev.persist.store.Durability;
import dev.persist.store.OrphanRecord;
import dev.persist.store.Store;
import dev.persist.store.StoreOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Cuts the power at chosen positions of a {@link History}, draws disk images of each cut from a {@link DiskModel},
 * opens each image with a real {@link Store} on the local file system (in a scratch directory, /dev/shm where there
 * is one) and checks what it holds against the {@link Expectations}.
 *
 * <p>Every case is named by (cut position, image seed, spread): with the saved history it is replayed exactly
 * ({@link #replay}).
 */
final class PowerCuts {
    /** The namespace every workload writes. */
    static final String NAMESPACE = "m";

    /** One image's outcome. */
    record Case(int cut, long imageSeed, DiskModel.Spread spread) {
        String property() {
            return cut + ":" + imageSeed + ":" + spread;
        }

        static Case parse(String s) {
            String[] p = s.split(":");
            return new Case(Integer.parseInt(p[0]), Long.parseLong(p[1]), DiskModel.Spread.valueOf(p[2]));
        }
    }

    /** What a run found. */
    static final class Result {
        int images;
        int cuts;
        final List<String> failures = new ArrayList<>();
        Case firstFailure;
        /**
         * Per tier and kind of crash ("process crash": every written byte on disk, {@link DiskModel.Spread#ALL};
         * "power cut": the other images): acknowledged operations lost, and the longest time from acknowledgement to
         * cut among them.
         */
        final Map<String, long[]> lost = new TreeMap<>();
        /** The same keys: acknowledged operations checked (the denominator of {@link #lost}). */
        final Map<String, Long> acknowledged = new TreeMap<>();

        String lossTable() {
            StringBuilder b = new StringBuilder();
            for (Durability tier : Durability.values()) {
                for (String kind : List.of("process crash", "power cut")) {
                    long[] l = lost.getOrDefault(tier + ", " + kind, new long[2]);
                    long n = acknowledged.getOrDefault(tier + ", " + kind, 0L);
                    b.append(String.format("%n  %-6s %-13s lost %6d of %7d acknowledged (operation x image), longest %4d ms "
                            + "from acknowledgement to cut", tier, kind, l[0], n, l[1] / 1_000_000));
                }
            }
            return b.toString();
        }
    }

    private final History history;
    private final Path scratch;
    /** Changes each image before it is opened: the identity, except in negative controls of the checker itself. */
    private UnaryOperator<Map<String, byte[]>> imageFault = UnaryOperator.identity();

    /**
     * @param history a frozen history
     * @param scratch an empty directory to open images in
     */
    PowerCuts(History history, Path scratch) {
        this.history = history;
        this.scratch = scratch;
    }

    PowerCuts imageFault(UnaryOperator<Map<String, byte[]>> fault) {
        this.imageFault = fault;
        return this;
    }

    /** @return every position (0 to the end) at which the power may go: before each event, and after the last */
    List<Integer> everyPosition() {
        List<Integer> all = new ArrayList<>();
        for (int c = 0; c <= history.size(); c++) {
            all.add(c);
        }
        return all;
    }

    /** @return {@code n} positions drawn at random (sorted, repeats allowed) */
    List<Integer> randomPositions(Random rnd, int n) {
        return Stream.generate(() -> rnd.nextInt(history.size() + 1)).limit(n).sorted().toList();
    }

    /**
     * Checks {@code perCut} images at each position of {@code cuts} (ascending): one with nothing unsynced on disk, one
     * with all of it, and the rest drawn (kill-like prefixes and scattered sectors).
     */
    Result run(List<Integer> cuts, int perCut, long seed) {
        Result result = new Result();
        DiskModel disk = new DiskModel(history);
        Expectations expected = new Expectations(history.initialState, history.initialInodes,
                history.logFsyncCoversWrites);
        List<History.Event> events = history.events();
        int next = 0;
        for (int i = 0; i < cuts.size(); i++) {
            int cut = cuts.get(i);
            while (next < cut) {
                History.Event e = events.get(next++);
                disk.apply(e);
                expected.apply(e);
            }
            result.cuts++;
            for (int k = 0; k < perCut; k++) {
                long imageSeed = seed * 1_000_003L + cut * 7919L + i * 31L + k;
                DiskModel.Spread spread = k == 0 ? DiskModel.Spread.NONE : k == 1 ? DiskModel.Spread.ALL
                        : k % 3 == 2 ? DiskModel.Spread.PREFIX : DiskModel.Spread.SCATTERED;
                check(new Case(cut, imageSeed, spread), disk, expected, events, result);
            }
        }
        return result;
    }

    /** Builds the history's state up to the case's cut and checks that one image. */
    Result replay(Case c) {
        Result result = new Result();
        DiskModel disk = new DiskModel(history);
        Expectations expected = new Expectations(history.initialState, history.initialInodes,
                history.logFsyncCoversWrites);
        List<History.Event> events = history.events();
        for (History.Event e : events.subList(0, c.cut())) {
            disk.apply(e);
            expected.apply(e);
        }
        check(c, disk, expected, events, result);
        return result;
    }

    private void check(Case c, DiskModel disk, Expectations expected, List<History.Event> events, Result result) {
        Map<String, byte[]> image = imageFault.apply(disk.image(new Random(c.imageSeed()), c.spread()));
        result.images++;
        String failure;
        Map<String, String> found = null;
        try {
            found = open(image, c.cut() < history.salvageBefore);
            List<String> wrong = expected.violations(found);
            failure = wrong.isEmpty() ? null : String.join("\n  ", wrong);
        } catch (CorruptLogException e) {
            failure = "the store refused an image a power cut can leave: " + e.getMessage();
        } catch (RuntimeException e) {
            failure = "opening the image failed: " + e;
        }
        String kind = c.spread() == DiskModel.Spread.ALL ? "process crash" : "power cut";
        if (found != null) {
            long cutNanos = c.cut() == 0 ? 0 : events.get(c.cut() - 1).nanos();
            for (Expectations.Op op : expected.lostAcknowledged(found)) {
                long[] l = result.lost.computeIfAbsent(op.tier + ", " + kind, t -> new long[2]);
                l[0]++;
                l[1] = Math.max(l[1], cutNanos - op.endNanos);
            }
        }
        for (Durability tier : Durability.values()) {
            result.acknowledged.merge(tier + ", " + kind, expected.acknowledgedAt(tier), Long::sum);
        }
        if (failure != null) {
            if (result.firstFailure == null) {
                result.firstFailure = c;
            }
            // every failure in full: the controls look for the kind they expect among them, the report prints three
            result.failures.add("case " + c.property() + " (" + describe(image) + "), cut before "
                    + (c.cut() < events.size() ? events.get(c.cut()) : "nothing (after the end)") + ":\n  "
                    + failure);
        }
    }

    private static String describe(Map<String, byte[]> image) {
        return image.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().length + " B")
                .collect(Collectors.joining(", "));
    }

    /**
     * Writes {@code image} into the scratch directory and opens it with a real store on the real file system.
     *
     * @return the key-value state of {@link #NAMESPACE} it finds
     */
    private Map<String, String> open(Map<String, byte[]> image, boolean salvage) {
        try {
            try (Stream<Path> old = Files.walk(scratch)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(scratch)) {
                        Files.delete(p);
                    }
                }
            }
            for (Map.Entry<String, byte[]> f : image.entrySet()) {
                Path file = scratch.resolve(f.getKey());
                Files.createDirectories(file.getParent());
                Files.write(file, f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read(scratch.resolve(history.logName), salvage);
    }

    /** @return what a store opening {@code log} finds in {@link #NAMESPACE} */
    static Map<String, String> read(Path log, boolean salvage) {
        // the namespace read as disk-backed: the image's index file, if any, and every record's position are used
        StoreOptions options = StoreOptions.defaults().salvage(salvage).syncInterval(Duration.ofHours(1))
                .diskNamespaces(NAMESPACE::equals);
        try (Store store = Store.open(log, options)) {
            for (String ns : store.orphanNamespaces()) {
                if (!ns.equals(NAMESPACE)) {
                    throw new AssertionError("the image holds a namespace no workload writes: " + ns);
                }
            }
            Map<String, String> found = new TreeMap<>();
            for (OrphanRecord r : store.orphans(NAMESPACE)) {
                found.put(new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8));
            }
            return found;
        }
    }
}
