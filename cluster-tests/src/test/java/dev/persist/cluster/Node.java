package dev.persist.cluster;

import dev.persist.kafka.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link NodeMain} in a child JVM (this JVM's class path, a small heap): commands in, answer lines out. */
final class Node implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path stderr;
    final String id;

    private Node(Process process, Path stderr, String id) {
        this.process = process;
        this.stderr = stderr;
        this.id = id;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the child died: EOF below
            }
            lines.add(EOF);
        }, "node-" + id + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a node and waits until it is ready (its manager open: caught up with the topic).
     *
     * @param dir        its store's directory (kept across restarts)
     * @param id         its node id
     * @param kafka      the broker
     * @param topic      the topic
     * @param kind       cluster, local or naive (see {@link NodeMain})
     * @param mode       invalidate or replicate
     * @param durability the cache's durability
     */
    static Node start(Path dir, String id, EmbeddedKafka kafka, String topic, String kind, String mode,
                      String durability) {
        try {
            Files.createDirectories(dir);
            Path err = dir.resolve("stderr-" + System.nanoTime() + ".txt");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), NodeMain.class.getName(),
                    dir.toString(), id, kafka.bootstrapServers(), topic, kind, mode, durability)
                    .redirectError(err.toFile()).start();
            Node n = new Node(p, err, id);
            n.expect("ready", 120);
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a command and returns its answer line. */
    String call(String command) {
        in.println(command);
        return next(120);
    }

    /** Sends a command without waiting for its answer. */
    void send(String command) {
        in.println(command);
    }

    /** @return the next line, or null if none came within {@code millis} */
    String poll(long millis) {
        try {
            return lines.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** @return the next line, waiting at most {@code seconds}; EOF if the child ended */
    String next(int seconds) {
        try {
            String l = lines.poll(seconds, TimeUnit.SECONDS);
            if (l == null) {
                throw new IllegalStateException("node " + id + " did not answer within " + seconds + "s; stderr:\n"
                        + stderr());
            }
            return l;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void expect(String line, int seconds) {
        String l = next(seconds);
        if (!l.equals(line)) {
            throw new IllegalStateException("node " + id + " said '" + l + "', expected '" + line + "'; stderr:\n"
                    + stderr());
        }
    }

    /** @return its cache's entries */
    Map<String, String> dump() {
        String l = call("dump");
        if (!l.startsWith("dump")) {
            throw new IllegalStateException("node " + id + ": " + l + "\n" + stderr());
        }
        Map<String, String> m = new TreeMap<>();
        String body = l.substring(4).trim();
        if (!body.isEmpty()) {
            for (String kv : body.split(",")) {
                int eq = kv.indexOf('=');
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    /** @return every line until {@code last} (included), waiting at most {@code seconds} for each */
    List<String> until(String last, int seconds) {
        List<String> out = new ArrayList<>();
        while (true) {
            String l = next(seconds);
            if (l.equals(EOF)) {
                return out;
            }
            out.add(l);
            if (l.equals(last)) {
                return out;
            }
        }
    }

    /** Kills the child with SIGKILL and waits for it. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the lines read so far and not taken (after a kill: what it printed before dying) */
    List<String> drain() {
        List<String> out = new ArrayList<>();
        lines.drainTo(out);
        out.remove(EOF);
        return out;
    }

    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            in.println("close");
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
