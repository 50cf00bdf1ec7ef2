package dev.persist.store;

import dev.persist.testkit.SplittingChannel;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The process {@link CrashTest} kills. It opens a store and writes from several threads, and tells the parent on
 * stdout what it is about to do and what has returned. Every line goes to the pipe with its own {@code write(2)}
 * before the next step, so whatever the parent reads happened, in that order, before the kill.
 *
 * <pre>
 * STARTED                          the store is open, writers are running
 * B S kv &lt;key&gt; &lt;value&gt;  /  A S ...   set begun / set returned (acknowledged)
 * B D kv &lt;key&gt;  /  A D kv &lt;key&gt;         delete begun / returned
 * B U ctr &lt;key&gt;  /  A U ctr &lt;key&gt; &lt;value&gt;  increment of a shared counter begun / returned with its result
 * SYNC-BEGIN n  /  SYNCED n        fsyncAll() called / returned (ASYNC mode)
 * SHRINK-BEGIN n  /  SHRUNK n      shrink() called / returned (SHRINK mode)
 * ERROR ...                        something threw: the parent fails the test
 * </pre>
 *
 * Keys of namespace {@code kv} belong to one thread each, so their lines are in program order; values of a key
 * only grow (deletes included: a key set again after a delete gets a higher value). Counters of namespace
 * {@code ctr} are incremented by every thread with {@link PersistMap#update}.
 *
 * <p>From {@code STARTED} on, the store's channels are {@link SplittingChannel}s: each write reaches the file in
 * {@value SplittingChannel#PIECES} pieces with a pause between them, so a kill often lands inside a record and leaves
 * a torn tail for the next open to truncate.
 *
 * <p>Arguments: log path, mode (SYNC, ASYNC, SHRINK), run id, seed.
 */
public final class CrashChild {
    static final int THREADS = 4;
    static final int KEYS_PER_THREAD = 16;
    static final int COUNTERS = 3;
    static final int BULK_KEYS = 20_000;
    /** Pause between two pieces of one split write. */
    static final long SPLIT_PAUSE_NANOS = 300_000;

    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private CrashChild() {
    }

    static String bulkValue(int i) {
        return "bulk-" + i + "-" + "x".repeat(150 + i % 50);
    }

    static String key(int run, int thread, int k) {
        return "r" + run + "-t" + thread + "-k" + k;
    }

    static String counter(int run, int c) {
        return "r" + run + "-c" + c;
    }

    /** One line, one write(2), unbuffered: it is in the pipe when this returns. */
    static void say(String line) {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (OUT) {
            try {
                OUT.write(b);
                OUT.flush();
            } catch (IOException e) {
                Runtime.getRuntime().halt(99); // the parent is gone
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        String mode = args[1];
        int run = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        try {
            work(log, mode, run, seed);
        } catch (Throwable t) {
            say("ERROR " + t.toString().replace('\n', ' '));
            t.printStackTrace();
            System.exit(2);
        }
    }

    private static void work(Path log, String mode, int run, long seed) throws Exception {
        boolean async = mode.equals("ASYNC");
        StoreOptions options = StoreOptions.defaults()
                .syncInterval(async ? Duration.ofMillis(50) : Duration.ofSeconds(1))
                .errorHandler(t -> {
                    say("ERROR handler: " + t.toString().replace('\n', ' '));
                    t.printStackTrace();
                });
        // every write of the log is split into pieces with a pause between them once the writers run, so that the
        // kill can land inside a record (a kill never tears one small write(2)); not while the bulk is written
        AtomicBoolean splitting = new AtomicBoolean();
        options = options.channelFactory(SplittingChannel.factory(splitting, SPLIT_PAUSE_NANOS));
        Store store = new Store(options);
        PersistMap<String, Long> kv = store.map("kv", Codecs.utf8(), Codecs.json(Long.class));
        PersistMap<String, Long> ctr = store.map("ctr", Codecs.utf8(), Codecs.json(Long.class));
        PersistMap<String, String> bulk = store.map("bulk", Codecs.utf8(), Codecs.json(String.class));
        store.openLog(log);
        if (mode.equals("SHRINK") && bulk.size() == 0) {
            // enough live data that a shrink takes a while, so kills land inside it
            for (int i = 0; i < BULK_KEYS; i++) {
                bulk.set("b" + i, bulkValue(i), Durability.WRITE);
            }
        }
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            Random rnd = new Random(seed * 31 + t);
            threads.add(new Thread(() -> writer(kv, ctr, run, id, rnd, async), "writer-" + t));
        }
        if (async) {
            Random rnd = new Random(seed * 31 + 99);
            threads.add(new Thread(() -> {
                for (int n = 1; ; n++) {
                    sleep(10 + rnd.nextInt(40));
                    say("SYNC-BEGIN " + n);
                    store.fsyncAll();
                    say("SYNCED " + n);
                }
            }, "syncer"));
        }
        if (mode.equals("SHRINK")) {
            Random rnd = new Random(seed * 31 + 98);
            threads.add(new Thread(() -> {
                for (int n = 1; ; n++) {
                    say("SHRINK-BEGIN " + n);
                    store.shrink();
                    say("SHRUNK " + n);
                    sleep(rnd.nextInt(15));
                }
            }, "shrinker"));
        }
        for (Thread t : threads) {
            t.setUncaughtExceptionHandler((th, e) -> {
                say("ERROR in " + th.getName() + ": " + e.toString().replace('\n', ' '));
                e.printStackTrace();
            });
        }
        splitting.set(true);
        say("STARTED");
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join(); // until killed
        }
    }

    private static void writer(PersistMap<String, Long> kv, PersistMap<String, Long> ctr, int run, int thread,
                               Random rnd, boolean async) {
        long[] next = new long[KEYS_PER_THREAD];
        while (true) {
            Durability tier = async ? Durability.ASYNC : rnd.nextInt(3) == 0 ? Durability.FSYNC : Durability.WRITE;
            int dice = rnd.nextInt(100);
            if (dice < 10) {
                String c = counter(run, rnd.nextInt(COUNTERS));
                say("B U ctr " + c);
                Long v = ctr.update(c, u -> u.set(u.exists() ? u.value() + 1 : 1L), tier);
                say("A U ctr " + c + " " + v);
            } else if (dice < 25) {
                String k = key(run, thread, rnd.nextInt(KEYS_PER_THREAD));
                say("B D kv " + k);
                kv.delete(k, tier);
                say("A D kv " + k);
            } else {
                int i = rnd.nextInt(KEYS_PER_THREAD);
                String k = key(run, thread, i);
                long v = ++next[i];
                say("B S kv " + k + " " + v);
                kv.set(k, v, tier);
                say("A S kv " + k + " " + v);
            }
            if (async && rnd.nextInt(8) == 0) {
                sleep(1); // ASYNC calls never wait: keep the log from growing without bound
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
