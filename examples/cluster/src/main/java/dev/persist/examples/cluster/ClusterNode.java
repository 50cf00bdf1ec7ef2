package dev.persist.examples.cluster;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One node: a cache manager whose configuration has {@code cluster}, and its cache {@code greetings}, driven by lines
 * on stdin: {@code put <key> <value>}, {@code get <key>}, {@code quit}. Run it on its own against a Kafka of yours:
 * {@code java -cp ... dev.persist.examples.cluster.ClusterNode path/to/cluster-node.yaml}.
 */
public final class ClusterNode {
    private ClusterNode() {
    }

    /** @param args the configuration file */
    public static void main(String[] args) throws Exception {
        URI config = Path.of(args[0]).toUri();
        // opening returns once this node applied every change the topic holds that it had not
        try (CacheManager manager = Caching.getCachingProvider().getCacheManager(config,
                ClusterNode.class.getClassLoader())) {
            Cache<String, String> greetings = manager.getCache("greetings", String.class, String.class);
            System.out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] c = line.trim().split(" ", 3);
                switch (c[0]) {
                    case "put" -> {
                        greetings.put(c[1], c[2]); // applied here, then published to the topic
                        System.out.println("put " + c[1] + " = " + c[2]);
                    }
                    case "get" -> System.out.println("get " + c[1] + " = " + greetings.get(c[1])); // never leaves the node
                    case "quit" -> {
                        return;
                    }
                    default -> System.out.println("commands: put <key> <value> | get <key> | quit");
                }
            }
        }
    }
}
