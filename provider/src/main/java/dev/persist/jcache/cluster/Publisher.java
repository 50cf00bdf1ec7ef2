package dev.persist.jcache.cluster;

import dev.persist.jcache.Stored;
import dev.persist.jcache.config.ClusterMode;
import dev.persist.jcache.integration.Owed;
import dev.persist.jcache.integration.OwedRecords;
import dev.persist.store.Codec;
import dev.persist.store.PersistMap;
import dev.persist.store.StoreException;
import dev.persist.store.Update;

import javax.cache.CacheException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes a clustered cache's changes to the topic, with the write-behind deliverer's machinery: <b>the log is the
 * queue</b>. Each change records what the key owes the topic in the companion namespace
 * {@link dev.persist.jcache.CacheNamespaces#clusterOutboxNamespaceOf} ({@link #owe}, through {@link Update#setIn}: the
 * same {@link Owed} records as write-behind, kept by {@link OwedRecords}, logged just before the key's own record, at
 * its tier). So a {@code kill -9} between the local write and the send loses no publish: the next start finds the
 * record and sends it. Updates between two sends coalesce (the record holds the latest state).
 *
 * <p>A daemon thread per cache, woken by each change, reads what each owed key owes in its atomic section (oldest
 * first), sends it, waits for Kafka's acknowledgements (acks=all) and deletes each key's record in its atomic section
 * if it still carries the sequence number sent, exactly as write-behind acknowledges a delivery. A round ends before
 * the next one starts, so a key's states reach the topic in the order they were made. Unlike write-behind it does not
 * fsync before sending: a change the topic has and this node's log lost in a power cut comes back to this node from
 * the topic (it resumes from offsets logged with the changes they applied, so it reads its own change again).
 *
 * <p>Failures (the brokers unreachable): the keys stay owed; the round is retried after a backoff doubling from
 * 100 ms to 30 s; the first failure of an episode and the recovery are logged.
 */
public final class Publisher {
    private static final System.Logger LOG = System.getLogger(Publisher.class.getName());
    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int BATCH = 1000;
    private static final byte[] INVALIDATION = new byte[0];

    private final String cacheName;
    private final Cluster cluster;
    private final ClusterMode mode;
    private final OwedRecords records;
    private final PersistMap<Object, Owed> outbox;
    private final Codec<Object> keyCodec;
    private final Codec<Stored> storedCodec;
    /** Per key whose record is still in the outbox: the highest sequence number Kafka acknowledged. */
    private final Map<Object, Long> acked = new ConcurrentHashMap<>();
    /** The key and sequence number of the change this thread just owed, for {@link #afterOwed}. */
    private final ThreadLocal<Object[]> lastOwed = new ThreadLocal<>();
    private final Object ackSignal = new Object();
    private final Thread thread;
    private volatile boolean work;
    private volatile boolean stopping;
    private volatile Throwable lastError;
    private boolean inEpisode;

    /**
     * Registers the outbox namespace (adopting what the log holds: changes a crash kept from being sent) and
     * prepares the thread; {@link #start} starts it.
     *
     * @param cacheName       the cache's name
     * @param cluster         where changes are sent
     * @param mode            the cache's mode: replicate sends values, invalidate only that the key changed
     * @param cacheMap        the cache's namespace
     * @param outboxNamespace the companion namespace
     * @param keyCodec        the cache's key codec
     * @param storedCodec     the cache's envelope codec
     */
    public Publisher(String cacheName, Cluster cluster, ClusterMode mode, PersistMap<Object, ?> cacheMap,
                     String outboxNamespace, Codec<Object> keyCodec, Codec<Stored> storedCodec) {
        this.cacheName = cacheName;
        this.cluster = cluster;
        this.mode = mode;
        this.keyCodec = keyCodec;
        this.storedCodec = storedCodec;
        // numbers read back from the log are never reused: an acknowledgement compares them. Starting from the
        // clock (microseconds) also keeps them above those of changes published before a restart, which the topic
        // may still hand back: a newer change is never taken for an older one (see owesNewerThan). An
        // acknowledgement lost in a crash only sends the key's state again
        this.records = new OwedRecords(cacheMap, outboxNamespace, keyCodec, storedCodec,
                System.currentTimeMillis() * 1000);
        this.outbox = records.map();
        this.work = outbox.size() > 0;
        this.thread = new Thread(this::run, "persist-jcache-cluster-publish-" + cacheName);
        this.thread.setDaemon(true);
    }

    /** Starts sending (what the log held when the cache opened first). */
    public void start() {
        thread.start();
    }

    /** @return the outbox namespace, released and closed with the cache's */
    public PersistMap<?, ?> outbox() {
        return outbox;
    }

    /** @return the number of keys whose latest change Kafka has not acknowledged */
    public int pendingCount() {
        return outbox.size();
    }

    /**
     * Records, in the key's atomic section, that the key owes the topic its state after this change.
     *
     * @param held  the key as held
     * @param state the key's new state, or null if the change leaves it absent
     * @param u     the key's update
     */
    public void owe(Object held, Stored state, Update<?> u) {
        long s = records.owe(held, state, u);
        // the sender is woken by afterOwed, once the section is over: woken now, it could look before the record is
        // in the outbox, find nothing and sleep while the change waits
        lastOwed.set(new Object[] {held, s});
    }

    /**
     * Called after the atomic section of a change that {@link #owe}d: wakes the sender, and with a timeout (a cache at
     * durability {@code replicated}) waits until the change is acknowledged by Kafka, or a later state of the same
     * key is (the earlier one is then superseded in the topic too).
     *
     * @param timeout how long to wait, or null not to wait
     * @throws CacheException if Kafka did not acknowledge it in time (the change stays owed, and is published later)
     */
    public void afterOwed(Duration timeout) {
        Object[] owed = lastOwed.get();
        if (owed == null) {
            return;
        }
        lastOwed.remove();
        work = true;
        LockSupport.unpark(thread);
        if (timeout == null) {
            return;
        }
        Object held = owed[0];
        long s = (Long) owed[1];
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (ackSignal) {
            while (!isAcknowledged(held, s)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || stopping && !thread.isAlive()) {
                    throw new CacheException("cache '" + cacheName + "': the change of key " + held + " was not "
                            + "acknowledged by Kafka within " + timeout + " (cluster.replicatedTimeout); it is applied "
                            + "on this node and stays owed to the topic, published when Kafka is reachable"
                            + (lastError == null ? "" : "; last error: " + lastError));
                }
                try {
                    ackSignal.wait(Math.max(1, Math.min(100, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CacheException("interrupted while waiting for Kafka's acknowledgement", e);
                }
            }
        }
    }

    /**
     * Called instead of {@link #afterOwed} when the atomic section of a change failed after {@link #owe}: the store
     * then kept nothing of the change, and this thread's record of it is forgotten, so that a later operation of the
     * thread does not wait for it.
     */
    public void forgetOwed() {
        lastOwed.remove();
    }

    private boolean isAcknowledged(Object held, long s) {
        Owed now = outbox.get(held);
        if (now == null) {
            return true; // nothing owed: every change of the key was acknowledged
        }
        Long a = acked.get(held);
        return a != null && a >= s;
    }

    // ------------------------------------------------------------------ the sending thread

    private void run() {
        long backoff = 0;
        try {
            while (!stopping) {
                if (backoff > 0) {
                    LockSupport.parkNanos(backoff);
                } else if (!work) {
                    // woken by owe(); the timeout only guards against a missed wake-up
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
                if (stopping) {
                    break;
                }
                work = false;
                if (sendRound()) {
                    backoff = 0;
                } else {
                    backoff = backoff == 0 ? MIN_BACKOFF_NANOS : Math.min(MAX_BACKOFF_NANOS, backoff * 2);
                    work = true;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "cluster publisher of cache '" + cacheName + "' stopped; what is "
                    + "owed stays in the log and is published after the next start", e);
        }
    }

    /** @return false if a send failed (the round is retried after a backoff) */
    private boolean sendRound() {
        List<Map.Entry<Object, Owed>> owed = new ArrayList<>();
        outbox.forEach((held, o) -> owed.add(Map.entry(held, o)));
        if (owed.isEmpty()) {
            return true;
        }
        owed.sort(Comparator.comparingLong(e -> e.getValue().seq()));
        for (int from = 0; from < owed.size(); from += BATCH) {
            if (!sendBatch(owed.subList(from, Math.min(owed.size(), from + BATCH)))) {
                return false;
            }
        }
        return true;
    }

    private boolean sendBatch(List<Map.Entry<Object, Owed>> batch) {
        List<Object> helds = new ArrayList<>(batch.size());
        List<Owed> sent = new ArrayList<>(batch.size());
        List<CompletableFuture<Void>> acks = new ArrayList<>(batch.size());
        try {
            for (Map.Entry<Object, Owed> e : batch) {
                Object held = e.getKey();
                // read in the key's atomic section: a record seen there has taken its place in the log
                Owed o = records.owedNow(held);
                if (o == null) {
                    continue;
                }
                byte[] value = o.state() == null ? null
                        : mode == ClusterMode.REPLICATE ? storedCodec.encode(o.state()) : INVALIDATION;
                helds.add(held);
                sent.add(o);
                acks.add(cluster.send(ChangeKeys.encode(cacheName, keyCodec.encode(held)), value, o.seq()));
            }
        } catch (StoreException | IllegalStateException e) {
            failed(e); // the cache closed under the publisher: what is owed stays in the log
            return false;
        } catch (RuntimeException e) {
            failed(e);
            return false;
        }
        boolean allSent = true;
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
                acknowledge(helds.get(i), sent.get(i));
            } catch (ExecutionException | RuntimeException e) {
                allSent = false;
                failed(e instanceof ExecutionException ee && ee.getCause() != null ? ee.getCause() : e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
                return false;
            }
        }
        synchronized (ackSignal) {
            ackSignal.notifyAll();
        }
        if (allSent && inEpisode) {
            inEpisode = false;
            LOG.log(System.Logger.Level.INFO, "cluster publisher of cache ''{0}'': Kafka acknowledges again",
                    cacheName);
        }
        return allSent;
    }

    /** Deletes the key's record, in its atomic section, if it still owes what was sent. */
    private void acknowledge(Object held, Owed sent) {
        acked.merge(held, sent.seq(), Math::max);
        try {
            if (records.ackIfStill(held, sent.seq())) {
                // after the delete, not in its section: only this thread (or finish, once it ended) records
                // acknowledgements, and a later change of the key has a higher number than the one left here
                acked.remove(held);
            }
        } catch (StoreException | IllegalStateException e) {
            // Kafka has it; the record stays, so it is sent again (at least once; applying it again is harmless)
            failed(e);
        }
    }

    private void failed(Throwable e) {
        lastError = e;
        if (!inEpisode) {
            inEpisode = true;
            LOG.log(System.Logger.Level.WARNING, "cluster publisher of cache '" + cacheName + "': publishing failed;"
                    + " the changes stay owed in the log and are retried with backoff (further failures are not "
                    + "logged until it recovers)", e);
        }
    }

    /**
     * Stops the thread, then sends what is owed for at most {@code timeout} in the caller's thread. What is left
     * stays in the log and is published after the next start.
     *
     * @param timeout how long to keep sending
     */
    public void finish(Duration timeout) {
        if (stopping) {
            return;
        }
        stopping = true;
        LockSupport.unpark(thread);
        // one deadline for both the thread's last round and the sending here: close takes at most the timeout
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        while (outbox.size() > 0 && System.nanoTime() < deadline && !thread.isAlive()) {
            if (!sendRound()) {
                LockSupport.parkNanos(MIN_BACKOFF_NANOS);
            }
        }
        if (outbox.size() > 0) {
            LOG.log(System.Logger.Level.WARNING, "cache ''{0}'': {1} change(s) not published at close; they stay "
                    + "owed in the log and are published after the next start", cacheName, outbox.size());
        }
        synchronized (ackSignal) {
            ackSignal.notifyAll();
        }
    }

    /**
     * Whether the key has a newer change of this node's own still owed than the one numbered {@code seq}: then a
     * record of this node numbered {@code seq} read back from the topic is superseded by one still to come.
     *
     * @param held the key as held
     * @param s    the sequence number of a change of this node read from the topic
     * @return true if this node owes a later state of the key
     */
    public boolean owesNewerThan(Object held, long s) {
        Owed now = outbox.get(held);
        return now != null && now.seq() > s;
    }
}
