package dev.persist.examples.cluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link ClusterNode} in a process of its own, on this program's class path. */
final class NodeProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final PrintWriter in;
    private final BufferedReader out;

    private NodeProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts node {@code name} on {@code config} and waits until it is ready (caught up with the topic). */
    static NodeProcess start(String name, Path config) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-cp", classPath(), ClusterNode.class.getName(), config.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        NodeProcess n = new NodeProcess(name, p);
        String first = n.out.readLine();
        if (!"ready".equals(first)) {
            throw new IllegalStateException("node " + name + " did not start: " + first);
        }
        return n;
    }

    /** Sends one command and returns the node's answer. */
    String call(String command) throws IOException {
        in.println(command);
        String answer = out.readLine();
        if (answer == null) {
            throw new IllegalStateException("node " + name + " ended");
        }
        return answer;
    }

    /** Ends the process with SIGKILL, as a crash would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            in.println("quit");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * This program's class path: under {@code mvn exec:java} the project's class loader holds it (the JVM's own
     * class path is Maven's), elsewhere {@code java.class.path}.
     */
    private static String classPath() {
        List<String> entries = new ArrayList<>();
        for (ClassLoader l = ClusterDemo.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (Exception e) {
                        // not a file: not for the child's class path
                    }
                }
                break;
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
    }
}
