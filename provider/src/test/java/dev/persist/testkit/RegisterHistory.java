package dev.persist.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
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

    /** One operation of a thread, on a key it drew, recorded into that key's history. */
    @FunctionalInterface
    public interface Step {
        void run(Random rnd, String key, RegisterHistory history) throws Exception;
    }

    private final List<Op> ops = new ArrayList<>();

    /**
     * Starts {@code threads} threads together; each runs {@code opsPerThread} steps on keys {@code k0..k<keys-1>}
     * drawn at random (seeded from {@code seeds}, so a run can be replayed).
     *
     * @return the history of each key
     * @throws AssertionError if a step threw
     */
    public static Map<String, RegisterHistory> record(int threads, int keys, int opsPerThread, Random seeds, Step step)
            throws InterruptedException {
        Map<String, RegisterHistory> histories = new HashMap<>();
        for (int k = 0; k < keys; k++) {
            histories.put("k" + k, new RegisterHistory());
        }
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> running = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            long seed = seeds.nextLong();
            Thread thread = new Thread(() -> {
                Random rnd = new Random(seed);
                try {
                    start.await();
                    for (int i = 0; i < opsPerThread; i++) {
                        String key = "k" + rnd.nextInt(keys);
                        step.run(rnd, key, histories.get(key));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            running.add(thread);
            thread.start();
        }
        for (Thread thread : running) {
            thread.join();
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("a step failed: " + errors.get(0), errors.get(0));
        }
        return histories;
    }

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
