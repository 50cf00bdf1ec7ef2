package dev.persist.testkit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.persist.jcache.PersistCachingProvider;
import dev.persist.store.Store;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class of the test sources, for tests that need a second process (SIGKILL, OS file
 * locks, the crash loops).
 *
 * <p>The class path is built from the code sources of the classes the children need (test classes, main classes,
 * Jackson) rather than taken from {@code java.class.path}: under Surefire that property is usually a manifest-only
 * booter jar in a temporary directory, and under an IDE it is something else again. The code sources are the
 * same everywhere.
 *
 * <p>Stdout is read by a daemon thread into a queue of lines until EOF (so the child never blocks on a full pipe
 * and nothing it wrote before being killed is lost); stderr goes to a file, shown by {@link #describe()}.
 */
public final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    /** Exit status of a JVM ended by SIGKILL, as {@link Process#exitValue()} reports it (128 + 9). */
    public static final int KILLED = 137;
    /** Lines of a child's stderr that report a failure (an exception, an error, a failed thread, a logged failure). */
    private static final Pattern FAILURE = Pattern.compile("(?i)exception|error|severe|failed|\\bat [a-z]");

    private final Process process;
    private final Path stderr;
    private final Thread reader;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Every line read, in order, for checks after EOF. */
    private final List<String> all = new ArrayList<>();
    private volatile IOException readError;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::drain, "child-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    public static ChildJvm start(Path workDir, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // small and quick to start: the machine is shared and the children live for well under a second
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(workDir, "child-", ".stderr");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        return new ChildJvm(pb.start(), err);
    }

    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {ChildJvm.class, Store.class, PersistCachingProvider.class,
                ObjectMapper.class, JsonFactory.class, JsonProperty.class, YAMLFactory.class,
                org.yaml.snakeyaml.Yaml.class, javax.cache.Cache.class, Caffeine.class}) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("no code source for " + c, e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private void drain() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            readError = e;
        } finally {
            lines.add(EOF);
        }
    }

    /**
     * Waits for a line equal to {@code expected} (or starting with it), keeping the lines read before it.
     *
     * @return the line
     * @throws AssertionError if EOF or the timeout comes first
     */
    public String awaitLine(String prefix, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("child did not print '" + prefix + "' within " + timeoutMillis + " ms; "
                        + describe());
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                throw new AssertionError("child ended before printing '" + prefix + "'; " + describe());
            }
            all.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /**
     * Kills the child with SIGKILL (no shutdown hooks, no finally blocks) and waits for it to be gone.
     *
     * <p>Through {@link ProcessHandle#destroyForcibly()}, the same SIGKILL as {@link Process#destroyForcibly()}:
     * the latter also closes the parent's end of the child's stdout, which throws away the acknowledgements still
     * in the pipe, exactly the ones written just before the kill.
     */
    public void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " did not die after SIGKILL");
        }
    }

    /** @return every stdout line, once the child has ended and its stdout reached EOF */
    public List<String> linesToEof() throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(30));
        if (reader.isAlive()) {
            throw new AssertionError("stdout of child " + process.pid() + " did not reach EOF");
        }
        if (readError != null) {
            throw new AssertionError("reading the child's stdout failed", readError);
        }
        String line;
        while ((line = lines.poll()) != null && !line.equals(EOF)) {
            all.add(line);
        }
        return all;
    }

    /** @return the child process */
    public Process process() {
        return process;
    }

    /** @return everything the child wrote to stderr so far */
    public String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /**
     * Checks how a child that the test killed ended: by the SIGKILL ({@link #KILLED}), not on its own (a halt after a
     * failed thread, an exception out of main), and with no failure on stderr.
     *
     * @param what names the child in the failure message
     * @throws AssertionError if the child ended otherwise or reported a failure on stderr
     */
    public void assertEndedByTheKill(String what) {
        if (process.isAlive()) {
            throw new AssertionError(what + ": child still alive; " + describe());
        }
        if (process.exitValue() != KILLED) {
            throw new AssertionError(what + ": child exited with " + process.exitValue() + ", not by the kill ("
                    + KILLED + "); " + describe());
        }
        for (String line : stderr().split("\n")) {
            if (FAILURE.matcher(line).find()) {
                throw new AssertionError(what + ": child reported a failure on stderr: " + line + "; " + describe());
            }
        }
    }

    /** @return the child's pid, exit status (if ended) and stderr, for failure messages */
    public String describe() {
        String err = stderr();
        return "child pid " + process.pid() + (process.isAlive() ? " alive" : " exit " + process.exitValue())
                + ", stderr:\n" + (err.length() > 4000 ? err.substring(0, 4000) + "..." : err);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // inside the test's temporary directory, removed with it
        }
    }
}
