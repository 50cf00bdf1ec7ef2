package dev.persist.jcache.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published JSON Schema ({@code docs/persist-jcache.schema.json}) against the parser and the repository's
 * configurations: every configuration file of the examples, the tests and the TCK, and every YAML block of the
 * documentation, validates; each file the editors are pointed at names the schema by a path that exists; and the
 * schema's keys are exactly the parser's, mapping by mapping.
 */
class ConfigSchemaTest {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
            .getParent();
    private static final Path SCHEMA = ROOT.resolve("docs/persist-jcache.schema.json");
    private static final Pattern MODELINE = Pattern.compile("^# yaml-language-server: \\$schema=(\\S+)",
            Pattern.MULTILINE);
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    private final ObjectMapper json = new ObjectMapper();
    private final YAMLMapper yaml = new YAMLMapper();

    private JsonNode schemaNode() throws IOException {
        return json.readTree(SCHEMA.toFile());
    }

    private JsonSchema schema() throws IOException {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaNode());
    }

    /** The configuration files of the repository: examples, tests, TCK (not build output). */
    private static List<Path> configurationFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("examples", "tck-runner", "provider/src/test/resources", "tools/src",
                "benchmarks/src")) {
            Path d = ROOT.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(d)) {
                walk.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/data/"))
                        .filter(p -> p.toString().matches(".*\\.(yaml|yml|json)$"))
                        .forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void everyConfigurationFileOfTheRepositoryValidatesAndNamesTheSchema() throws IOException {
        JsonSchema schema = schema();
        List<Path> files = configurationFiles();
        assertThat(files).as("the examples' and the TCK's files at least").hasSizeGreaterThanOrEqualTo(5);
        for (Path file : files) {
            String text = Files.readString(file);
            Set<ValidationMessage> errors = schema.validate(yaml.readTree(text));
            assertThat(errors).as(ROOT.relativize(file) + " against the schema").isEmpty();
            Matcher m = MODELINE.matcher(text);
            assertThat(m.find()).as(ROOT.relativize(file) + " names the schema for editors").isTrue();
            assertThat(file.getParent().resolve(m.group(1)).normalize()).as(ROOT.relativize(file) + ": " + m.group(1))
                    .isEqualTo(SCHEMA);
        }
    }

    @Test
    void everyYamlBlockOfTheDocumentationValidates() throws IOException {
        JsonSchema schema = schema();
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> walk = Stream.concat(Files.list(ROOT.resolve("docs")), Files.walk(ROOT.resolve("examples")))) {
            walk.filter(p -> p.toString().endsWith(".md") && !p.toString().contains("/target/")).forEach(pages::add);
        }
        int blocks = 0;
        for (Path page : pages) {
            Matcher m = YAML_BLOCK.matcher(Files.readString(page));
            while (m.find()) {
                JsonNode node = yaml.readTree(m.group(1));
                if (node == null || !node.isObject()) {
                    continue;
                }
                blocks++;
                assertThat(schema.validate(node)).as(ROOT.relativize(page) + ":\n" + m.group(1)).isEmpty();
            }
        }
        assertThat(blocks).as("YAML blocks found in the documentation").isGreaterThanOrEqualTo(5);
    }

    @Test
    void theSchemaRefusesWhatTheParserRefuses() throws IOException {
        JsonSchema schema = schema();
        for (String bad : List.of("cachez: {}", "store: { sync: 1s }", "defaults: { durability: fast }",
                "caches: { u: { maxSize: 3 } }", "caches: { u: { durability: { get: write } } }",
                "caches: { u: { onUnencodable: ignore } }", "caches: { u: { maximumSize: 0 } }",
                "caches: { u: { maximumSize: 1, maximumWeight: 2 } }", "caches: { u: { expiry: { afterWrite: soon } } }",
                "store: { generation: \"\" }", "defaults: { serialization: { deny: [a.*] } }",
                "caches: { u: { writeBehind: { delayy: 1s } } }", "caches: { u: { writeBehind: { coalesce: false } } }",
                "caches: { u: { writeBehind: { batchSize: 0 } } }",
                "caches: { u: { writeBehind: { retry: { every: 1s } } } }",
                "caches: { u: { disk: {} } }", "caches: { u: { disk: { maximumBytes: 4XB } } }",
                "caches: { u: { disk: { maximumBytes: 0 } } }", "caches: { u: { disk: { size: 1GB } } }",
                "caches: { u: { memory: { maximumSize: 1, maximumWeight: 2 } } }",
                "caches: { u: { memory: { entries: 1 } } }",
                "caches: { u: { maximumSize: 1, disk: { maximumBytes: 1GB } } }",
                "caches: { u: { maximumSize: 1, memory: { maximumSize: 2 } } }",

                "cluster: { kafka: { topic: t } }", "cluster: { kafka: { bootstrapServers: h, topic: t }, mode: off }",
                "cluster: { kafka: { bootstrapServers: h, topic: t }, nodes: 3 }",
                "caches: { u: { cluster: sometimes } }", "caches: { u: { durability: { put: replicated } } }")) {
            assertThat(schema.validate(yaml.readTree(bad))).as(bad).isNotEmpty();
        }
    }

    /**
     * Each mapping of the schema has exactly the keys {@link ConfigParser} accepts there: a key added to one and
     * not the other fails, naming it.
     */
    @Test
    void theSchemasKeysAreTheParsersKeys() throws IOException {
        JsonNode s = schemaNode();
        JsonNode defs = s.get("$defs");
        Map<String, Object[]> mappings = new LinkedHashMap<>();
        mappings.put("(top level)", new Object[] {s, ConfigParser.TOP_KEYS});
        mappings.put("store", new Object[] {s.at("/properties/store"), ConfigParser.STORE_KEYS});
        mappings.put("store.autoShrink", new Object[] {s.at("/properties/store/properties/autoShrink"),
                ConfigParser.AUTO_SHRINK_KEYS});
        mappings.put("defaults", new Object[] {s.at("/properties/defaults"), ConfigParser.DEFAULTS_KEYS});
        mappings.put("caches.<name>", new Object[] {defs.get("cache"), ConfigParser.CACHE_KEYS});
        mappings.put("caches.<name>.expiry", new Object[] {defs.at("/cache/properties/expiry"),
                ConfigParser.EXPIRY_KEYS});
        mappings.put("serialization", new Object[] {defs.get("serialization"), ConfigParser.SERIALIZATION_KEYS});
        mappings.put("caches.<name>.memory", new Object[] {defs.get("memory"), ConfigParser.MEMORY_KEYS});
        mappings.put("caches.<name>.disk", new Object[] {defs.get("disk"), ConfigParser.DISK_KEYS});
        mappings.put("caches.<name>.writeBehind", new Object[] {defs.get("writeBehind"),
                ConfigParser.WRITE_BEHIND_KEYS});
        mappings.put("caches.<name>.writeBehind.retry", new Object[] {defs.at("/writeBehind/properties/retry"),
                ConfigParser.RETRY_KEYS});
        mappings.put("cluster", new Object[] {s.at("/properties/cluster"), ConfigParser.CLUSTER_KEYS});
        mappings.put("durability (mapping form)", new Object[] {defs.at("/durability/oneOf/1"),
                ConfigParser.DURABILITY_KEYS});
        for (Map.Entry<String, Object[]> e : mappings.entrySet()) {
            JsonNode node = (JsonNode) e.getValue()[0];
            @SuppressWarnings("unchecked")
            Set<String> parser = (Set<String>) e.getValue()[1];
            assertThat(node.path("additionalProperties").asBoolean(true)).as(e.getKey() + " closed in the schema")
                    .isFalse();
            Set<String> schemaKeys = new TreeSet<>();
            for (Iterator<String> it = node.get("properties").fieldNames(); it.hasNext(); ) {
                schemaKeys.add(it.next());
            }
            Set<String> onlyInSchema = new TreeSet<>(schemaKeys);
            onlyInSchema.removeAll(parser);
            Set<String> onlyInParser = new TreeSet<>(parser);
            onlyInParser.removeAll(schemaKeys);
            assertThat(onlyInSchema).as(e.getKey() + ": keys in the schema the parser refuses").isEmpty();
            assertThat(onlyInParser).as(e.getKey() + ": keys the parser accepts missing from the schema").isEmpty();
        }
    }
}
