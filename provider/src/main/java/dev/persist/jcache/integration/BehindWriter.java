package dev.persist.jcache.integration;

import dev.persist.jcache.SimpleEntry;
import dev.persist.jcache.Stored;
import dev.persist.jcache.config.WriteBehindSettings;
import dev.persist.jcache.management.WriteBehindMXBean;
import dev.persist.store.Codec;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import dev.persist.store.StoreException;
import dev.persist.store.Update;

import javax.cache.Cache;
import javax.cache.integration.CacheWriter;
import javax.cache.integration.CacheWriterException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Write-behind to a cache's {@link CacheWriter}: operations return once the cache and the log hold the change at the
 * operation's tier; a background deliverer calls the writer later, in batches, with each key's latest state.
 *
 * <p><b>The log is the queue.</b> Which keys still owe the writer a call, and what, is a companion namespace of the
 * store ({@link dev.persist.jcache.CacheNamespaces#writeBehindNamespaceOf}), key to an {@link Owed} record. The
 * record is set in the key's atomic section by the operation itself ({@link #owe}, through
 * {@link Update#setIn}), logged just before the key's own record and at the operation's tier. So after a crash
 * the keys still owed are exactly those whose change is in the log, and a key's record holds its state after its
 * latest change (coalesced). It holds the value too, so a pending put survives the entry's eviction or expiry, which
 * are not writer deletes.
 *
 * <p><b>The deliverer</b> (one daemon thread per cache) wakes every {@code delay}, takes the owed keys oldest first,
 * makes the log durable up to now (one fsync: the writer never receives a value that a crash could take back from
 * the cache), and calls {@code writeAll} for the keys owed a value and {@code deleteAll} for those owed a delete,
 * {@code batchSize} keys a call. A key is acknowledged (its record deleted, in its atomic section) only if its record
 * still carries the sequence number delivered: a key changed during the delivery stays owed and its newer state is
 * delivered next, so the writer never receives an older state of a key after a newer one. Delivery is at least
 * once: a crash between the writer's call and the acknowledgement reaching the log delivers the key again.
 *
 * <p><b>Failures.</b> Keys left in the collection by a {@code writeAll}/{@code deleteAll} that threw (JSR-107's
 * contract; all of them if the writer does not remove what it wrote) are retried after a backoff doubling from
 * {@code retry.initial} to {@code retry.max}, each key alone, so that one key that keeps failing cannot hold the
 * others back. With {@code retry.giveUpAfter} a key failing for that long is dropped, counted and logged; without it
 * a key is retried until it is delivered. The first failure of an episode is logged, and the recovery; retries are
 * counted, not logged.
 *
 * <p><b>Close</b> ({@link #finish}) stops the thread and delivers what is pending for at most {@code flushOnClose}
 * in the caller's thread; what is left stays in the log and is delivered after the next start.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class BehindWriter<K, V> implements Writer<K, V> {
    private static final System.Logger LOG = System.getLogger(BehindWriter.class.getName());

    private final String cacheName;
    private final CacheWriter<K, V> writer;
    private final WriteBehindSettings settings;
    private final PersistMap<Object, Stored> cacheMap;
    private final OwedRecords records;
    private final PersistMap<Object, Owed> pending;
    private final boolean recoveredAtOpen;
    private final Function<Object, K> keyOut;
    private final Function<Object, V> valueOut;
    /** Keys whose last delivery failed, with their backoff; touched by the delivering thread only. */
    private final Map<Object, Failure> failures = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean hurry;
    private volatile boolean finished;

    private final LongAdder delivered = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder givenUp = new LongAdder();
    private final LongAdder episodes = new LongAdder();
    private volatile Throwable lastError;
    private volatile long lastErrorAt;
    private volatile boolean inEpisode;
    private long episodeRetries;
    private final Stats stats = new Stats();

    /** A key's failed deliveries: how many in a row, when to try again, since when it fails. */
    private record Failure(int attempts, long nextAttemptNanos, long firstFailureMillis) {
    }

    /** One key of a delivery: its held form, what it owes, and the forms the writer sees. */
    private record Item(Object held, Owed owed, Object key, Object value) {
    }

    /**
     * Registers the cache's companion namespace (adopting what the log holds for it) and prepares the deliverer;
     * {@link #start} starts it.
     *
     * @param cacheName        for messages and the thread's name
     * @param writer           the application's writer
     * @param settings         delay, batch size, retries, flush on close
     * @param cacheMap         the cache's namespace (the key's atomic sections, where deliveries are acknowledged)
     * @param pendingNamespace the companion namespace
     * @param keyCodec         the cache's key codec (held keys)
     * @param storedCodec      the cache's envelope codec
     * @param keyOut           a held key to the application's key
     * @param valueOut         a held value (a {@link Stored} payload) to the application's value
     */
    public BehindWriter(String cacheName, CacheWriter<K, V> writer, WriteBehindSettings settings,
                        PersistMap<Object, Stored> cacheMap, String pendingNamespace, Codec<Object> keyCodec,
                        Codec<Stored> storedCodec, Function<Object, K> keyOut, Function<Object, V> valueOut) {
        this.cacheName = cacheName;
        this.writer = Objects.requireNonNull(writer, "writer");
        this.settings = settings;
        this.cacheMap = cacheMap;
        this.keyOut = keyOut;
        this.valueOut = valueOut;
        this.records = new OwedRecords(cacheMap, pendingNamespace, keyCodec, storedCodec, 0);
        this.pending = records.map();
        // what the log held when the cache opened is delivered at once; otherwise the first round waits one delay.
        // Decided here, not when the thread runs: by then the application may have made changes of its own, which
        // must wait for the delay like any other
        this.recoveredAtOpen = pending.size() > 0;
        this.thread = new Thread(this::run, "persist-jcache-write-behind-" + cacheName);
        this.thread.setDaemon(true);
    }

    /** Starts the deliverer: what the log holds for this cache is delivered at once, not after the first delay. */
    public void start() {
        thread.start();
    }

    /** @return the companion namespace, to be released with the cache's */
    public PersistMap<?, ?> pendingMap() {
        return pending;
    }

    /** @return the statistics (also the MBean) */
    public WriteBehindMXBean stats() {
        return stats;
    }

    // ------------------------------------------------------------------ the operations' side

    @Override
    public void owe(Object held, Stored state, Update<Stored> u) {
        records.owe(held, state, u);
    }

    @Override
    public void write(K key, V value) {
        // owed in the key's atomic section (owe), delivered later
    }

    @Override
    public void delete(K key) {
        // owed in the key's atomic section (owe), delivered later
    }

    @Override
    public CacheWriterException writeAll(Collection<Cache.Entry<? extends K, ? extends V>> batch) {
        return null; // each key is owed by its own update of the batch
    }

    @Override
    public CacheWriterException deleteAll(Collection<K> batch) {
        return null; // each key is owed by its own update of the batch
    }

    @Override
    public boolean active() {
        return true;
    }

    // ------------------------------------------------------------------ the deliverer

    private void run() {
        try {
            boolean first = recoveredAtOpen;
            while (!stopping) {
                if (!first) {
                    awaitNextRound();
                }
                first = false;
                if (!stopping) {
                    deliverDue();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "write-behind deliverer of cache '" + cacheName + "' stopped; what "
                    + "is pending stays in the log", e);
        } finally {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }

    /** Waits one delay, or less when hurried (then until the next retry is due, at most the delay). */
    private void awaitNextRound() {
        long waitNanos = settings.delay().toNanos();
        if (hurry && !(pending.size() == 0)) {
            waitNanos = Math.min(waitNanos, Math.max(0, nextRetryInNanos()));
        }
        long deadline = System.nanoTime() + waitNanos;
        synchronized (signal) {
            signal.notifyAll(); // a flusher waiting for the round that just ended
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0
                    && !(hurry && !(pending.size() == 0) && nextRetryInNanos() <= 0)) {
                try {
                    signal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
        }
    }

    /** @return nanoseconds until the first key is due: zero or less if a key not failing is owed */
    private long nextRetryInNanos() {
        long now = System.nanoTime();
        if (failures.size() < pending.size()) {
            return 0;
        }
        long next = Long.MAX_VALUE;
        for (Failure f : failures.values()) {
            next = Math.min(next, f.nextAttemptNanos - now);
        }
        return next;
    }

    /**
     * One round: every key owed now and not waiting for a retry, oldest first, in batches; then each key whose retry
     * is due, alone.
     */
    private void deliverDue() {
        long now = System.nanoTime();
        List<Map.Entry<Object, Owed>> fresh = new ArrayList<>();
        List<Object> retrying = new ArrayList<>();
        pending.forEach((held, owed) -> {
            Failure f = failures.get(held);
            if (f == null) {
                fresh.add(Map.entry(held, owed));
            } else if (f.nextAttemptNanos - now <= 0) {
                retrying.add(held);
            }
        });
        if (fresh.isEmpty() && retrying.isEmpty()) {
            return;
        }
        fresh.sort(Comparator.comparingLong(e -> e.getValue().since()));
        for (int from = 0; from < fresh.size() && !stopping(); from += settings.batchSize()) {
            List<Object> batch = new ArrayList<>();
            for (Map.Entry<Object, Owed> e : fresh.subList(from, Math.min(fresh.size(), from + settings.batchSize()))) {
                batch.add(e.getKey());
            }
            deliver(batch);
        }
        for (Object held : retrying) {
            if (stopping()) {
                break;
            }
            deliver(List.of(held));
        }
    }

    private boolean stopping() {
        return stopping && !finishing;
    }

    private volatile boolean finishing;

    /**
     * Makes the log durable up to now before the writer sees anything: a value the writer receives is then never
     * one that a crash could take back from the cache (which would deliver the older one again after it).
     */
    private boolean makeDurable() {
        if (!cacheMap.store().isOpen()) {
            return true; // a memory-only cache: nothing is durable, nothing to wait for
        }
        try {
            cacheMap.store().fsyncAll();
            return true;
        } catch (StoreException | IllegalStateException e) {
            failed(null, e);
            return false;
        }
    }

    /** Delivers the keys' latest states: one writeAll for those owed a value, one deleteAll for the others. */
    private void deliver(List<Object> helds) {
        List<Item> items = new ArrayList<>(helds.size());
        List<Cache.Entry<? extends K, ? extends V>> entries = new ArrayList<>();
        Map<Object, Item> byEntry = new IdentityHashMap<>();
        List<K> deletes = new ArrayList<>();
        Map<Object, Item> byKey = new IdentityHashMap<>();
        List<Object> takenKeys = new ArrayList<>(helds.size());
        List<Owed> taken = new ArrayList<>(helds.size());
        try {
            for (Object held : helds) {
                // read in the key's atomic section (see OwedRecords.owedNow): the sync that follows makes it durable.
                // Read outside it, a change could be delivered, then lost by a crash, and the older state the log
                // still holds delivered after it
                Owed now = records.owedNow(held);
                if (now != null) {
                    takenKeys.add(held);
                    taken.add(now);
                }
            }
        } catch (StoreException | IllegalStateException e) {
            failed(null, e); // the cache's namespace closed under a writer that outlived flushOnClose
            return;
        }
        if (taken.isEmpty() || !makeDurable()) {
            return;
        }
        for (int i = 0; i < taken.size(); i++) {
            Object held = takenKeys.get(i);
            Owed owed = taken.get(i);
            Item item;
            try {
                K key = keyOut.apply(held);
                item = new Item(held, owed, key, owed.state() == null ? null : valueOut.apply(owed.state().payload()));
            } catch (RuntimeException e) {
                // a value that no longer decodes (a class changed since it was logged): it fails as a delivery
                keyFailed(new Item(held, owed, null, null), e);
                continue;
            }
            items.add(item);
            if (item.value == null) {
                deletes.add(key(item));
                byKey.put(item.key, item);
            } else {
                Cache.Entry<K, V> entry = new SimpleEntry<>(key(item), value(item));
                entries.add(entry);
                byEntry.put(entry, item);
            }
        }
        List<Item> failedItems = new ArrayList<>();
        Throwable error = null;
        if (!entries.isEmpty()) {
            List<Cache.Entry<? extends K, ? extends V>> batch = new ArrayList<>(entries);
            try {
                writer.writeAll(batch);
            } catch (Exception | LinkageError e) {
                error = e;
                collectLeft(batch, byEntry, failedItems);
            }
        }
        if (!deletes.isEmpty()) {
            List<K> batch = new ArrayList<>(deletes);
            try {
                writer.deleteAll(batch);
            } catch (Exception | LinkageError e) {
                error = error == null ? e : error;
                collectLeft(batch, byKey, failedItems);
            }
        }
        for (Item item : items) {
            if (failedItems.contains(item)) {
                keyFailed(item, error);
            } else {
                acknowledge(item);
            }
        }
        if (failedItems.isEmpty() && failures.isEmpty() && inEpisode) {
            inEpisode = false;
            LOG.log(System.Logger.Level.INFO, "write-behind of cache ''{0}'': the writer recovered after {1} "
                    + "retried deliveries", cacheName, episodeRetries);
            episodeRetries = 0;
        }
    }

    @SuppressWarnings("unchecked")
    private K key(Item item) {
        return (K) item.key;
    }

    @SuppressWarnings("unchecked")
    private V value(Item item) {
        return (V) item.value;
    }

    /** What the writer left in the collection failed; something the collection never held is ignored. */
    private static void collectLeft(Collection<?> left, Map<Object, Item> byElement, List<Item> failed) {
        for (Object o : left) {
            Item item = byElement.get(o);
            if (item != null && !failed.contains(item)) {
                failed.add(item);
            }
        }
    }

    /** Deletes the key's record, in its atomic section, if it still owes what was delivered. */
    private boolean acknowledge(Item item) {
        try {
            boolean removed = records.ackIfStill(item.held, item.owed.seq());
            delivered.increment();
            failures.remove(item.held);
            return removed;
        } catch (StoreException | IllegalStateException e) {
            // the writer has it; the record stays, so it is delivered again (at least once)
            failed(null, e);
            return false;
        }
    }

    private void keyFailed(Item item, Throwable error) {
        long nowMillis = System.currentTimeMillis();
        Failure before = failures.get(item.held);
        int attempts = before == null ? 1 : before.attempts + 1;
        long first = before == null ? nowMillis : before.firstFailureMillis;
        Duration giveUp = settings.giveUpAfter();
        if (giveUp != null && nowMillis - first >= giveUp.toMillis()) {
            giveUp(item, error, first);
            return;
        }
        failures.put(item.held, new Failure(attempts, System.nanoTime() + backoffNanos(attempts), first));
        retries.increment();
        episodeRetries++;
        failed(item, error);
    }

    /** Waits {@code retry.initial} doubled at each further failure, at most {@code retry.max}. */
    private long backoffNanos(int attempts) {
        long initial = settings.retryInitial().toNanos();
        long max = settings.retryMax().toNanos();
        int doublings = Math.min(attempts - 1, 62);
        long wait = initial;
        for (int i = 0; i < doublings && wait < max; i++) {
            wait = wait > max / 2 ? max : wait * 2;
        }
        return Math.min(wait, max);
    }

    private void giveUp(Item item, Throwable error, long firstFailureMillis) {
        boolean dropped;
        try {
            dropped = records.ackIfStill(item.held, item.owed.seq());
        } catch (StoreException | IllegalStateException e) {
            failed(null, e);
            return;
        }
        failures.remove(item.held);
        if (dropped) {
            givenUp.increment();
            LOG.log(System.Logger.Level.ERROR, "write-behind of cache '" + cacheName + "' gave up on key " + item.held
                    + " after failing since " + Instant.ofEpochMilli(firstFailureMillis) + " (retry.giveUpAfter "
                    + settings.giveUpAfter() + "): its change is dropped, the writer never received it", error);
        }
    }

    /** Records a failure; logs the first of an episode only. */
    private void failed(Item item, Throwable error) {
        lastError = error;
        lastErrorAt = System.currentTimeMillis();
        if (!inEpisode) {
            inEpisode = true;
            episodes.increment();
            LOG.log(System.Logger.Level.WARNING, "write-behind of cache '" + cacheName + "': "
                    + (item == null ? "delivery failed" : "the writer failed for key " + item.held)
                    + "; retrying with backoff from " + settings.retryInitial() + " up to " + settings.retryMax()
                    + " (further failures are counted, not logged, until it recovers)", error);
        }
    }

    // ------------------------------------------------------------------ flush and close

    /**
     * Delivers now what is pending, without waiting for the delay (keys waiting for a retry still wait for it).
     *
     * @param timeout how long to wait at most
     * @return true if nothing was pending when this returned
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        hurry = true;
        try {
            synchronized (signal) {
                signal.notifyAll();
                while (!(pending.size() == 0) && thread.isAlive()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    signal.wait(Math.max(1, Math.min(50, left / 1_000_000)));
                }
            }
            return (pending.size() == 0);
        } finally {
            hurry = false;
        }
    }

    /**
     * Stops the deliverer and delivers what is pending in this thread for at most {@code flushOnClose}. Called when
     * the cache closes, before its namespaces are released; what is left stays in the log. Idempotent.
     */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        stopping = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        long deadline = System.nanoTime() + settings.flushOnClose().toNanos();
        try {
            thread.join(Math.max(1, settings.flushOnClose().toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "write-behind of cache '" + cacheName + "': the writer is still "
                    + "busy at close; what is pending stays in the log for the next start");
            return;
        }
        finishing = true;
        while (!(pending.size() == 0) && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            deliverDue();
            long wait = Math.min(nextRetryInNanos(), deadline - System.nanoTime());
            if (!(pending.size() == 0) && wait > 0) {
                try {
                    Thread.sleep(Math.max(1, wait / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        int left = pending.size();
        if (left > 0) {
            LOG.log(System.Logger.Level.WARNING, "write-behind of cache ''{0}'': {1} key(s) not delivered within "
                    + "flushOnClose ({2}); they stay pending in the log and are delivered after the next start",
                    cacheName, left, settings.flushOnClose());
        }
    }

    @Override
    public void close() {
        finish();
        Closing.quietly(writer);
    }

    /** The statistics, read live. */
    private final class Stats implements WriteBehindMXBean {
        @Override
        public long getPendingCount() {
            return pending.size();
        }

        @Override
        public long getOldestPendingAgeMillis() {
            long[] oldest = {Long.MAX_VALUE};
            pending.forEach((k, o) -> oldest[0] = Math.min(oldest[0], o.since()));
            return oldest[0] == Long.MAX_VALUE ? 0 : Math.max(0, System.currentTimeMillis() - oldest[0]);
        }

        @Override
        public long getDelivered() {
            return delivered.sum();
        }

        @Override
        public long getRetries() {
            return retries.sum();
        }

        @Override
        public long getGivenUp() {
            return givenUp.sum();
        }

        @Override
        public long getFailureEpisodes() {
            return episodes.sum();
        }

        @Override
        public long getFailingCount() {
            return failures.size();
        }

        @Override
        public String getLastError() {
            Throwable e = lastError;
            return e == null ? null : e.toString();
        }

        @Override
        public String getLastErrorTime() {
            Throwable e = lastError;
            return e == null ? null : Instant.ofEpochMilli(lastErrorAt).toString();
        }

        @Override
        public String toString() {
            return "WriteBehind[" + cacheName + ": pending " + getPendingCount() + ", delivered " + getDelivered()
                    + ", retries " + getRetries() + ", given up " + getGivenUp() + "]";
        }
    }

    /**
     * For a destroyed cache, after its pending namespace was closed: the changes its writer never received are
     * dropped, said in the log (never silent), and their records deleted.
     */
    public void dropUndelivered() {
        Store store = pending.store();
        String ns = pending.name();
        int left = store.orphanCount(ns);
        if (left > 0) {
            LOG.log(System.Logger.Level.WARNING, "cache ''{0}'' destroyed with {1} write-behind change(s) its writer "
                    + "never received; they are dropped", cacheName, left);
        }
        if (store.isOpen()) {
            store.dropNamespace(ns, Durability.WRITE);
        }
    }
}
