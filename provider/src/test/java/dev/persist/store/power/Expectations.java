package dev.persist.store.power;

import dev.persist.store.Durability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a store may hold after a power cut at the current position of a {@link History}, key by key, from the
 * test's marks only (never from the log itself).
 *
 * <p>An operation is <em>durable</em> once it returned at FSYNC, or returned (at ASYNC, WRITE or FSYNC) before a
 * barrier ({@code fsyncAll}, {@code close}) that began after it and has returned. A key may hold the value of any
 * of its operations that began before the cut, except one that returned before a durable operation of the key
 * began (that one is certainly ordered before it in the log, and the durable one is on disk); with no durable
 * operation the key may also be as it was before the history. Anything else (a value never written, a value older
 * than an acknowledged FSYNC, a durable value missing) is a failure.
 */
final class Expectations {
    /** An operation of the test, as far as the history got. */
    static final class Op {
        final int id;
        final String key;
        final String value;
        final Durability tier;
        final int begin;
        int end = Integer.MAX_VALUE;
        long endNanos;

        Op(History.OpBegin b) {
            this.id = b.op();
            this.key = b.key();
            this.value = b.value();
            this.tier = b.tier();
            this.begin = b.seq();
        }

        boolean ended() {
            return end != Integer.MAX_VALUE;
        }

        @Override
        public String toString() {
            return "op " + id + " " + (value == null ? "delete " + key : key + "=" + value) + " at " + tier
                    + " (began at #" + begin + (ended() ? ", returned at #" + end : ", not returned") + ")";
        }
    }

    private final Map<String, String> initial;
    private final Map<Integer, Op> ops = new HashMap<>();
    private final Map<String, List<Op>> byKey = new HashMap<>();
    private final Map<Integer, History.BarrierBegin> openBarriers = new HashMap<>();
    /** The latest begin position of a durable barrier that has returned: ops that returned before it are durable. */
    private int coveredBefore = -1;
    private int position;

    private final boolean logFsyncCoversWrites;
    /** With {@code logFsyncCoversWrites}: WRITE operations that returned before this position are durable. */
    private int writesCoveredBefore = -1;

    /** The inode each name holds so far: tells an fsync of the log ({@link Workload#LOG}) from one of another file. */
    private final Map<String, Integer> inodes;

    /**
     * @param initial              the state before the history (key to value), as a store opening the initial files
     *                             finds it
     * @param initialInodes        the inode of each initial file, by name
     * @param logFsyncCoversWrites whether a completed fsync of the log makes the WRITE operations that returned
     *                             before it began durable (the WRITE tier's promise under power loss, for workloads
     *                             whose log is always one file: no shrink)
     */
    Expectations(Map<String, String> initial, Map<String, Integer> initialInodes, boolean logFsyncCoversWrites) {
        this.initial = Map.copyOf(initial);
        this.inodes = new HashMap<>(initialInodes);
        this.logFsyncCoversWrites = logFsyncCoversWrites;
    }

    void apply(History.Event e) {
        position = e.seq() + 1;
        if (e instanceof History.OpBegin b) {
            Op op = new Op(b);
            ops.put(op.id, op);
            byKey.computeIfAbsent(op.key, k -> new ArrayList<>()).add(op);
        } else if (e instanceof History.OpEnd end) {
            Op op = ops.get(end.op());
            op.end = end.seq();
            op.endNanos = end.nanos();
        } else if (e instanceof History.Create c) {
            inodes.put(c.name(), c.inode());
        } else if (e instanceof History.Rename r) {
            Integer moved = inodes.remove(r.from());
            if (moved != null) {
                inodes.put(r.to(), moved);
            }
        } else if (e instanceof History.Delete d) {
            inodes.remove(d.name());
        } else if (e instanceof History.ForceEnd f && logFsyncCoversWrites
                && Integer.valueOf(f.inode()).equals(inodes.get(Workload.LOG))) {
            writesCoveredBefore = Math.max(writesCoveredBefore, f.beginSeq());
        } else if (e instanceof History.BarrierBegin b) {
            openBarriers.put(b.barrier(), b);
        } else if (e instanceof History.BarrierEnd end) {
            History.BarrierBegin b = openBarriers.remove(end.barrier());
            if (b.durableAfter()) {
                coveredBefore = Math.max(coveredBefore, b.seq());
            }
        }
    }

    boolean durable(Op op) {
        return op.ended() && (op.tier == Durability.FSYNC || op.tier != Durability.MEMORY && op.end < coveredBefore
                || op.tier == Durability.WRITE && op.end < writesCoveredBefore);
    }

    /** @return every key the test touched or found initially */
    Set<String> keys() {
        Set<String> keys = new TreeSet<>(initial.keySet());
        keys.addAll(byKey.keySet());
        return keys;
    }

    /** @return the position of the latest begin of a durable operation of {@code key}, or -1 */
    private int latestDurableBegin(String key) {
        int latest = -1;
        for (Op op : byKey.getOrDefault(key, List.of())) {
            if (durable(op)) {
                latest = Math.max(latest, op.begin);
            }
        }
        return latest;
    }

    /** @return the values {@code key} may hold now (null: absent) */
    Set<String> acceptable(String key) {
        Set<String> ok = new LinkedHashSet<>();
        int floor = latestDurableBegin(key);
        if (floor < 0) {
            ok.add(initial.get(key));
        }
        for (Op op : byKey.getOrDefault(key, List.of())) {
            if (op.end >= floor) {
                ok.add(op.value);
            }
        }
        return ok;
    }

    /** @return the durable operations of {@code key} whose value is not what was found, for the failure message */
    List<Op> durableOps(String key) {
        return byKey.getOrDefault(key, List.of()).stream().filter(this::durable).toList();
    }

    /**
     * For the loss measurements: the acknowledged operations whose effect is gone from {@code found}, i.e. the key
     * holds neither their value nor that of any operation that did not return before they began.
     */
    List<Op> lostAcknowledged(Map<String, String> found) {
        List<Op> lost = new ArrayList<>();
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            String value = found.get(e.getKey());
            for (Op x : e.getValue()) {
                if (!x.ended()) {
                    continue;
                }
                boolean explained = false;
                for (Op y : e.getValue()) {
                    if (y.end >= x.begin && Objects.equals(y.value, value)) {
                        explained = true;
                        break;
                    }
                }
                if (!explained) {
                    lost.add(x);
                }
            }
        }
        return lost;
    }

    /** @return the checks of {@code found} against what may be there: one line per key that is wrong */
    List<String> violations(Map<String, String> found) {
        List<String> wrong = new ArrayList<>();
        Set<String> keys = keys();
        keys.addAll(found.keySet());
        for (String key : keys) {
            String value = found.get(key);
            Set<String> ok = acceptable(key);
            if (!ok.contains(value)) {
                wrong.add("key " + key + " holds " + (value == null ? "nothing" : "'" + value + "'") + ", expected one of "
                        + ok + (durableOps(key).isEmpty() ? "" : "; durable: " + durableOps(key)));
            }
        }
        return wrong;
    }

    /** @return how many operations at {@code tier} have returned */
    long acknowledgedAt(Durability tier) {
        return ops.values().stream().filter(op -> op.ended() && op.tier == tier).count();
    }

    int position() {
        return position;
    }
}
