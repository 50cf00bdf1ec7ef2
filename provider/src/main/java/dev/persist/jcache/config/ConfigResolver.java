package dev.persist.jcache.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.persist.store.Durability;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Resolves what a cache manager URI means.
 * <ul>
 *   <li>The provider's default URI ({@code persist-jcache:default}, also used for a null URI): the file named by the
 *       system property {@value #CONFIG_PROPERTY} if set, else the embedded default, a store
 *       {@code default.log} in the default directory, tier WRITE.</li>
 *   <li>{@code classpath:path}: a YAML or JSON resource of the manager's ClassLoader.</li>
 *   <li>{@code file:...}, {@code jar:file:...!/...} (and any other URL scheme): a YAML or JSON file; a relative
 *       {@code file:config/cache.yaml} is relative to the working directory.</li>
 *   <li>A URI without scheme whose path ends in {@code .yaml}, {@code .yml} or {@code .json}: a file path, relative
 *       to the working directory.</li>
 *   <li>Any other URI: an embedded store of its own in the default directory, named after the URI.</li>
 * </ul>
 * The default directory is the system property {@value #DIR_PROPERTY}, else {@code ${user.dir}/persist-jcache-data}.
 * A file that sets no {@code store.path} gets {@code <default directory>/<file base name>.log}.
 *
 * <p>Then, in order, each override wins over what came before: the {@code Properties} given to
 * {@code getCacheManager} (keys are setting paths, as {@code store.path}, {@code defaults.durability},
 * {@code caches.users.maximumSize}, or {@code caches[com.example.Book].maximumSize} for names holding dots; keys
 * outside {@code store}, {@code defaults} and {@code caches} are left to other libraries), and the system property
 * {@value #DURABILITY_PROPERTY}, the default tier of every cache without a tier of its own.
 */
public final class ConfigResolver {
    /** System property: URI of the configuration file of the default URI. */
    public static final String CONFIG_PROPERTY = "persist.jcache.config";
    /** System property: the default tier (memory, async, write, fsync). */
    public static final String DURABILITY_PROPERTY = "persist.jcache.durability";
    /** System property: the directory of embedded stores. */
    public static final String DIR_PROPERTY = "persist.jcache.dir";
    /** The default URI, as the provider reports it. */
    public static final URI DEFAULT_URI = URI.create("persist-jcache:default");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigResolver() {
    }

    /**
     * @param uri         the manager's URI
     * @param classLoader the manager's ClassLoader (for classpath: URIs and class names)
     * @param properties  overrides of single settings
     * @return the settings
     * @throws ConfigException naming the file, key and what is allowed
     */
    public static ManagerSettings resolve(URI uri, ClassLoader classLoader, Properties properties) {
        URI target = uri;
        if (DEFAULT_URI.equals(uri)) {
            String configured = System.getProperty(CONFIG_PROPERTY);
            if (configured == null || configured.isBlank()) {
                return embedded("embedded default", defaultDirectory().resolve("default.log"), properties);
            }
            target = URI.create(configured.trim());
        }
        String scheme = target.getScheme();
        if (scheme == null) {
            String path = target.getPath() == null ? target.toString() : target.getPath();
            String lower = path.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json")) {
                Path file = Path.of(path);
                return fromFile(file.toString(), read(file), baseName(path), classLoader, properties);
            }
            return embedded("embedded store " + target, defaultDirectory().resolve(storeFileName(target)), properties);
        }
        if (scheme.equalsIgnoreCase("classpath")) {
            String resource = target.getSchemeSpecificPart();
            while (resource.startsWith("/")) {
                resource = resource.substring(1);
            }
            URL url = classLoader.getResource(resource);
            if (url == null) {
                throw new ConfigException(target.toString(), "", "no such resource on the classpath of " + classLoader);
            }
            return fromFile(target.toString(), read(target.toString(), url), baseName(resource), classLoader,
                    properties);
        }
        if (scheme.equalsIgnoreCase("file")) {
            // file:config/cache.yaml (no slash after the colon) is opaque to java.net.URI; Spring resolves it
            // against the working directory, and so do we
            Path file = target.isOpaque() ? Path.of(target.getSchemeSpecificPart()) : Path.of(target);
            return fromFile(file.toString(), read(file), baseName(file.toString()), classLoader, properties);
        }
        if (scheme.equalsIgnoreCase("jar") || scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) {
            URL url;
            try {
                url = target.toURL();
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(target.toString(), "", "not a readable URL: " + e.getMessage());
            }
            return fromFile(target.toString(), read(target.toString(), url), baseName(target.toString()),
                    classLoader, properties);
        }
        return embedded("embedded store " + target, defaultDirectory().resolve(storeFileName(target)), properties);
    }

    /** @return the directory of embedded stores */
    public static Path defaultDirectory() {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir.trim());
        }
        return Path.of(System.getProperty("user.dir"), "persist-jcache-data");
    }

    private static ManagerSettings embedded(String source, Path storePath, Properties properties) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        applyProperties(root, properties, source);
        return new ConfigParser(source, ConfigResolver.class.getClassLoader())
                .parse(root, storePath, tierOverride());
    }

    private static ManagerSettings fromFile(String source, JsonNode root, String baseName, ClassLoader classLoader,
                                            Properties properties) {
        JsonNode tree = root == null || root.isNull() || root.isMissingNode()
                ? JsonNodeFactory.instance.objectNode() : root;
        if (tree instanceof ObjectNode o) {
            applyProperties(o, properties, source);
        }
        return new ConfigParser(source, classLoader)
                .parse(tree, defaultDirectory().resolve(baseName + ".log"), tierOverride());
    }

    private static Durability tierOverride() {
        String t = System.getProperty(DURABILITY_PROPERTY);
        if (t == null || t.isBlank()) {
            return null;
        }
        return ConfigParser.parseTier("system property " + DURABILITY_PROPERTY, "", t);
    }

    private static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file.toString(), "", "configuration file not found");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigException(file + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode read(String source, URL url) {
        try (InputStream in = url.openStream()) {
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read as YAML or JSON: " + e.getMessage(), e);
        }
    }

    /** Applies Properties whose keys start with store, defaults, caches or cluster onto the tree, as strings. */
    static void applyProperties(ObjectNode root, Properties properties, String source) {
        if (properties == null) {
            return;
        }
        for (String key : properties.stringPropertyNames()) {
            List<String> path = splitPath(key);
            if (path.isEmpty() || !(path.get(0).equals("store") || path.get(0).equals("defaults")
                    || path.get(0).equals("caches") || path.get(0).equals("cluster"))) {
                continue;
            }
            ObjectNode node = root;
            for (int i = 0; i < path.size() - 1; i++) {
                JsonNode child = node.get(path.get(i));
                if (!(child instanceof ObjectNode)) {
                    child = node.putObject(path.get(i));
                }
                node = (ObjectNode) child;
            }
            node.put(path.get(path.size() - 1), properties.getProperty(key));
        }
    }

    /** Splits {@code a.b[c.d].e} into a, b, c.d, e. */
    static List<String> splitPath(String key) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '[') {
                int end = key.indexOf(']', i);
                if (end < 0) {
                    cur.append(key, i, key.length());
                    break;
                }
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                out.add(key.substring(i + 1, end));
                i = end;
            } else if (c == '.') {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    private static String baseName(String path) {
        String name = path;
        int bang = name.lastIndexOf('!');
        if (bang >= 0) {
            name = name.substring(bang + 1);
        }
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        name = name.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** A file name for an embedded store of a URI: readable characters kept, plus a hash so names stay distinct. */
    private static String storeFileName(URI uri) {
        String s = uri.toString();
        String safe = s.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 64) {
            safe = safe.substring(0, 64);
        }
        return safe + "-" + Integer.toHexString(s.hashCode()) + ".log";
    }
}
