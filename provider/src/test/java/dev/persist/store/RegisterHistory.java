package dev.persist.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A recorded history of operations on one key, and a Wing-Gong search for a linearization: an order of the
 * operations that respects real time (an operation that returned before another was called comes first) and in
 * which every read sees the latest write. Linearizability is local, so checking each key of a map on its own is
 * enough for single-key operations.
 */
public final class RegisterHistory {
    public enum Kind { SET, DELETE, GET, UPDATE }

    /**
     * @param read    what a GET returned, or what an UPDATE saw (null: absent)
     * @param written what a SET or UPDATE wrote (null for DELETE)
     */
    public record Op(Kind kind, Integer read, Integer written, long invokedNanos, long returnedNanos) {
    }

    private final List<Op> ops = new ArrayList<>();

    public synchronized void add(Op op) {
        ops.add(op);
    }

    public synchronized int size() {
        return ops.size();
    }

    /** @return whether some linearization exists, starting from {@code initial} */
    public synchronized boolean linearizable(Integer initial) {
        if (ops.size() > 63) {
            throw new IllegalArgumentException("at most 63 operations per history, got " + ops.size());
        }
        return search(0L, initial, new HashSet<>());
    }

    private boolean search(long done, Integer value, Set<String> failed) {
        int n = ops.size();
        if (done == (1L << n) - 1 || n == 0) {
            return true;
        }
        String state = done + "/" + value;
        if (failed.contains(state)) {
            return false;
        }
        // the earliest return among pending operations: anything invoked after it cannot go next
        long horizon = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if ((done & (1L << i)) == 0) {
                horizon = Math.min(horizon, ops.get(i).returnedNanos());
            }
        }
        for (int i = 0; i < n; i++) {
            if ((done & (1L << i)) != 0) {
                continue;
            }
            Op op = ops.get(i);
            if (op.invokedNanos() > horizon) {
                continue;
            }
            Integer next;
            switch (op.kind()) {
                case SET -> next = op.written();
                case DELETE -> next = null;
                case GET -> {
                    if (!Objects.equals(op.read(), value)) {
                        continue;
                    }
                    next = value;
                }
                case UPDATE -> {
                    if (!Objects.equals(op.read(), value)) {
                        continue;
                    }
                    next = op.written();
                }
                default -> throw new AssertionError(op.kind());
            }
            if (search(done | (1L << i), next, failed)) {
                return true;
            }
        }
        failed.add(state);
        return false;
    }
}
