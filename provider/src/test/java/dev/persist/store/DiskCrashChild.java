package dev.persist.store;

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
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process {@link DiskCrashTest} kills: writers set keys of a disk-backed map at WRITE (values of a key only grow),
 * a thread keeps emptying the memory front so that reads and updates go to disk, and a thread shrinks in a loop, so
 * that kills land inside shrinks and index files are written and replaced. Lines on stdout, each one write(2):
 *
 * <pre>
 * STARTED              the store is open
 * B key value          a set begun
 * A key value          the set returned (acknowledged)
 * SHRUNK n             a shrink returned
 * ERROR ...            something threw
 * </pre>
 *
 * Arguments: log path, run id, seed.
 */
public final class DiskCrashChild {
    static final int THREADS = 3;
    static final int KEYS_PER_THREAD = 40;
    static final String NAMESPACE = "d";
    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private DiskCrashChild() {
    }

    static void say(String line) {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (OUT) {
            try {
                OUT.write(b);
                OUT.flush();
            } catch (IOException e) {
                Runtime.getRuntime().halt(99);
            }
        }
    }

    static StoreOptions options() {
        // segments of 16 KiB: kills land while segments roll and while shrinks retire them
        return StoreOptions.defaults().syncInterval(Duration.ofMillis(200)).diskNamespaces(NAMESPACE::equals)
                .segmentBytes(16 * 1024);
    }

    static MapConfig<String, String> config(ConcurrentHashMap<String, String> front) {
        return MapConfig.of(NAMESPACE, Codecs.utf8(), Codecs.utf8()).memory(front).disk(1L << 30);
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        int run = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        try {
            ConcurrentHashMap<String, String> front = new ConcurrentHashMap<>();
            Store store = Store.open(log, options().errorHandler(t -> say("ERROR handler: " + t)));
            PersistMap<String, String> d = store.map(config(front));
            if (d.size() < 5000) {
                for (int i = 0; i < 5000; i++) {
                    d.set("bulk" + i, "b".repeat(100), Durability.ASYNC); // enough for a shrink to take a while
                }
                d.sync();
            }
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                Random rnd = new Random(seed * 31 + t);
                threads.add(new Thread(() -> {
                    for (long n = run * 1_000_000L; ; n++) {
                        String key = "t" + id + "-k" + rnd.nextInt(KEYS_PER_THREAD);
                        String value = String.format("%015d-%s", n, "v".repeat(rnd.nextInt(200)));
                        say("B " + key + " " + value);
                        if (rnd.nextBoolean()) {
                            d.set(key, value, Durability.WRITE);
                        } else {
                            // read-modify-write: reads the old value back from disk when the front lost it
                            d.update(key, u -> u.set(value), Durability.WRITE);
                        }
                        say("A " + key + " " + value);
                    }
                }, "writer-" + t));
            }
            threads.add(new Thread(() -> {
                while (true) {
                    front.clear();
                    Thread.onSpinWait();
                }
            }, "front-dropper"));
            threads.add(new Thread(() -> {
                for (int n = 1; ; n++) {
                    store.shrink();
                    say("SHRUNK " + n);
                }
            }, "shrinker"));
            say("STARTED");
            threads.forEach(th -> {
                th.setDaemon(true);
                th.setUncaughtExceptionHandler((x, e) -> say("ERROR " + x.getName() + ": " + e));
                th.start();
            });
            Thread.sleep(Long.MAX_VALUE);
        } catch (Throwable t) {
            say("ERROR " + t.toString().replace('\n', ' '));
            System.exit(2);
        }
    }
}
