package dev.persist.jcache.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.persist.jcache.codec.SerialAllowlist;
import dev.persist.store.Durability;
import dev.persist.store.StoreOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a configuration tree (from YAML or JSON, with Properties already applied) into {@link ManagerSettings},
 * refusing every unknown key and every wrong value with a message naming the file, the key and what is allowed.
 *
 * <pre>
 * store:    { path: data/app.log, syncInterval: 1s, segmentBytes: 256MB, autoShrink: { interval: 1m, ratio: 3.0 },
 *             generation: "schema-42" }   # differs from the log's: the caches are cleared at open
 * defaults: { durability: write,      # or { default: write, put: fsync, ... } as for a cache
 *             serialization: { allow: [ com.example.** ] },
 *             onUnencodable: fail,    # or skip; also per cache
 *             statistics: false }     # JCache statistics on from the start; also per cache
 * caches:
 *   users:  { durability: { default: write, put: fsync, remove: fsync, invoke: write, load: async },
 *             maximumSize: 100000, expiry: { afterWrite: 1h }, keyType: java.lang.String,
 *             # or maximumWeight: 64000000 (bytes of stored values) instead of maximumSize
 *             valueType: com.example.User, codec: json }
 *   sessions: { durability: async, serialization: { allow: [ com.example.web.Session ] } }
 *   items:  { durability: write, memory: { maximumSize: 100000 }, disk: { maximumBytes: 4GB } }
 *             # disk: the store holds every entry, memory is a bounded front (memory: maximumSize | maximumWeight)
 * </pre>
 * Byte sizes ({@code disk.maximumBytes}) are a whole number of bytes, or a whole number and a unit: KB, MB, GB, TB
 * (powers of 1024; case-insensitive).
 * Durations are {@code <number><unit>} with unit ms, s, m, h or d, or ISO-8601 ({@code PT1S}).
 * {@code serialization.allow} is a list of JDK class patterns ({@code com.example.Order}, {@code com.example.*},
 * {@code com.example.**}, {@code com.example.Ord*}), or one string of them separated by commas (as Properties give
 * it); a cache's list adds to the defaults' list.
 */
final class ConfigParser {
    private static final String TIERS = "memory, async, write, fsync (or replicated, for a whole cache, with cluster)";

    /** The keys each mapping accepts; the JSON Schema's test compares docs/persist-jcache.schema.json with these. */
    static final Set<String> TOP_KEYS = Set.of("store", "defaults", "caches", "cluster");
    static final Set<String> STORE_KEYS = Set.of("path", "syncInterval", "segmentBytes", "asyncBacklog", "mappedReads",
            "mappedAppends", "autoShrink", "generation");
    static final Set<String> AUTO_SHRINK_KEYS = Set.of("interval", "ratio");
    static final Set<String> DEFAULTS_KEYS = Set.of("durability", "serialization", "onUnencodable", "statistics",
            "memory", "disk");
    static final Set<String> CACHE_KEYS = Set.of("durability", "maximumSize", "maximumWeight", "expiry", "keyType",
            "valueType", "codec", "serialization", "onUnencodable", "statistics", "writer", "loader", "writeBehind",
            "memory", "disk", "cluster");
    static final Set<String> MEMORY_KEYS = Set.of("maximumSize", "maximumWeight");
    static final Set<String> DISK_KEYS = Set.of("maximumBytes");
    static final Set<String> CLUSTER_KEYS = Set.of("kafka", "mode", "nodeId", "connectTimeout", "catchUpTimeout",
            "replicatedTimeout");
    /** The keys of {@code cluster.kafka} the provider reads itself; every other key is a Kafka client property. */
    static final Set<String> KAFKA_KEYS = Set.of("bootstrapServers", "topic");
    static final Set<String> WRITE_BEHIND_KEYS = Set.of("delay", "batchSize", "coalesce", "retry", "flushOnClose");
    static final Set<String> RETRY_KEYS = Set.of("initial", "max", "giveUpAfter");
    static final Set<String> EXPIRY_KEYS = Set.of("afterWrite");
    static final Set<String> SERIALIZATION_KEYS = Set.of("allow");
    static final Set<String> DURABILITY_KEYS = Set.of("default", "put", "remove", "invoke", "load");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb|tb)?", Pattern.CASE_INSENSITIVE);

    private final String source;
    private final ClassLoader classLoader;
    /** Whether the top-level cluster is set: durability replicated needs it. */
    private boolean clustered;

    /** @return where the settings come from, for messages */
    String source() {
        return source;
    }

    ConfigParser(String source, ClassLoader classLoader) {
        this.source = source;
        this.classLoader = classLoader;
    }

    ManagerSettings parse(JsonNode root, Path defaultStorePath, Durability tierOverride) {
        if (root == null || root.isNull() || root.isMissingNode()) {
            root = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        ObjectNode top = object(root, "");
        allowOnly(top, "", TOP_KEYS);

        Path storePath = defaultStorePath;
        Duration syncInterval = Duration.ofSeconds(1);
        long segmentBytes = StoreOptions.DEFAULT_SEGMENT_BYTES;
        long asyncBacklog = 0;
        boolean mappedReads = true;
        boolean mappedAppends = true;
        Duration shrinkInterval = null;
        double shrinkRatio = 3.0;
        String generation = null;
        JsonNode store = top.get("store");
        if (store != null) {
            ObjectNode s = object(store, "store");
            allowOnly(s, "store", STORE_KEYS);
            if (s.has("generation")) {
                generation = generation(s.get("generation"), "store.generation");
            }
            if (s.has("path")) {
                String p = text(s.get("path"), "store.path");
                if (p.isBlank()) {
                    throw new ConfigException(source, "store.path", "must be a non-empty file path");
                }
                storePath = Path.of(p);
            }
            if (s.has("syncInterval")) {
                syncInterval = positiveDuration(s.get("syncInterval"), "store.syncInterval");
            }
            if (s.has("segmentBytes")) {
                segmentBytes = byteSize(s.get("segmentBytes"), "store.segmentBytes");
                if (segmentBytes < 512 || segmentBytes > StoreOptions.MAX_SEGMENT_BYTES) {
                    throw new ConfigException(source, "store.segmentBytes", "must be from 512B to 4GB (the size of "
                            + "each log segment file), got " + s.get("segmentBytes").asText());
                }
            }
            if (s.has("asyncBacklog")) {
                asyncBacklog = byteSize(s.get("asyncBacklog"), "store.asyncBacklog"); // positive, or refused
            }
            if (s.has("mappedReads")) {
                mappedReads = bool(s.get("mappedReads"), "store.mappedReads");
            }
            if (s.has("mappedAppends")) {
                mappedAppends = bool(s.get("mappedAppends"), "store.mappedAppends");
            }
            if (s.has("autoShrink")) {
                ObjectNode a = object(s.get("autoShrink"), "store.autoShrink");
                allowOnly(a, "store.autoShrink", AUTO_SHRINK_KEYS);
                shrinkInterval = a.has("interval") ? positiveDuration(a.get("interval"), "store.autoShrink.interval")
                        : Duration.ofMinutes(1);
                if (a.has("ratio")) {
                    shrinkRatio = number(a.get("ratio"), "store.autoShrink.ratio");
                    if (!(shrinkRatio > 1.0)) {
                        throw new ConfigException(source, "store.autoShrink.ratio",
                                "must be a number greater than 1, got " + a.get("ratio").asText());
                    }
                }
            }
        }

        ClusterSettings cluster = top.has("cluster") ? ClusterParser.parse(this, top.get("cluster")) : null;
        this.clustered = cluster != null;

        OperationTiers defaultTiers = OperationTiers.all(Durability.WRITE);
        boolean defaultReplicated = false;
        List<String> defaultAllow = List.of();
        OnUnencodable defaultOnUnencodable = OnUnencodable.FAIL;
        boolean defaultStatistics = false;
        JsonNode defaults = top.get("defaults");
        if (defaults != null) {
            ObjectNode d = object(defaults, "defaults");
            allowOnly(d, "defaults", DEFAULTS_KEYS);
            if (d.has("onUnencodable")) {
                defaultOnUnencodable = onUnencodable(d.get("onUnencodable"), "defaults.onUnencodable");
            }
            if (d.has("statistics")) {
                defaultStatistics = bool(d.get("statistics"), "defaults.statistics");
            }
            if (d.has("durability")) {
                defaultTiers = tiers(d.get("durability"), "defaults.durability", Durability.WRITE);
                defaultReplicated = replicated(d.get("durability"), "defaults.durability");
            }
            if (d.has("serialization")) {
                defaultAllow = serialAllow(d.get("serialization"), "defaults.serialization");
            }
        }
        if (tierOverride != null) {
            defaultTiers = OperationTiers.all(tierOverride);
        }
        CacheBounds defaultBounds = CacheBounds.NONE;
        if (defaults != null) {
            defaultBounds = bounds((ObjectNode) defaults, "defaults", defaultTiers, null, null);
        }

        Map<String, CacheSettings> caches = new LinkedHashMap<>();
        JsonNode cachesNode = top.get("caches");
        if (cachesNode != null && !cachesNode.isNull()) {
            ObjectNode cs = object(cachesNode, "caches");
            for (Iterator<Map.Entry<String, JsonNode>> it = cs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                caches.put(e.getKey(), cache(e.getKey(), e.getValue(), defaultTiers, defaultAllow,
                        defaultOnUnencodable, defaultStatistics, defaultBounds).withReplicated(defaultReplicated
                        && !(e.getValue() instanceof ObjectNode o && o.has("durability"))
                        || e.getValue() instanceof ObjectNode c && c.has("durability")
                        && replicated(c.get("durability"), CacheSettings.pathOf(e.getKey()) + ".durability")));
            }
        }
        return new ManagerSettings(source, storePath, syncInterval, segmentBytes, asyncBacklog, mappedReads,
                mappedAppends, shrinkInterval,
                shrinkRatio,
                defaultTiers,
                defaultAllow, caches, generation, defaultOnUnencodable, defaultStatistics, defaultBounds,
                defaultReplicated, cluster);
    }

    private CacheSettings cache(String name, JsonNode node, OperationTiers defaults, List<String> defaultAllow,
                                OnUnencodable defaultOnUnencodable, boolean defaultStatistics,
                                CacheBounds defaultBounds) {
        String at = CacheSettings.pathOf(name);
        if (node == null || node.isNull()) {
            checkTiers(at, false, defaults, defaultBounds);
            return new CacheSettings(defaults, defaultBounds.maximumSize(), defaultBounds.maximumWeight(), null,
                    null, null, null, defaultAllow, true, defaultOnUnencodable, defaultStatistics,
                    IntegrationSettings.NONE, defaultBounds.diskBytes(), null, false);
        }
        ObjectNode c = object(node, at);
        allowOnly(c, at, CACHE_KEYS);
        OperationTiers tiers = defaults;
        if (c.has("durability")) {
            tiers = tiers(c.get("durability"), at + ".durability", defaults);
        }
        boolean ownBounds = c.has("maximumSize") || c.has("maximumWeight") || c.has("memory") || c.has("disk");
        CacheBounds b = ownBounds ? bounds(c, at, tiers, c.get("maximumSize"), c.get("maximumWeight"))
                : defaultBounds;
        if (!ownBounds) {
            checkTiers(at, c.has("durability"), tiers, b);
        }
        Long maximumSize = b.maximumSize();
        Long maximumWeight = b.maximumWeight();
        Long diskBytes = b.diskBytes();
        Duration afterWrite = null;
        if (c.has("expiry")) {
            ObjectNode ex = object(c.get("expiry"), at + ".expiry");
            allowOnly(ex, at + ".expiry", EXPIRY_KEYS);
            if (ex.has("afterWrite")) {
                afterWrite = positiveDuration(ex.get("afterWrite"), at + ".expiry.afterWrite");
            }
        }
        Class<?> keyType = c.has("keyType") ? type(c.get("keyType"), at + ".keyType") : null;
        Class<?> valueType = c.has("valueType") ? type(c.get("valueType"), at + ".valueType") : null;
        String codec = null;
        if (c.has("codec")) {
            codec = text(c.get("codec"), at + ".codec");
            if (codec.equals("json")) {
                if (valueType == null || valueType == Object.class) {
                    throw new ConfigException(source, at + ".codec",
                            "json needs a valueType (the class Jackson reads values as)");
                }
            } else if (!codec.equals("serializable")) {
                Class<?> cc = type(c.get("codec"), at + ".codec");
                if (!dev.persist.store.Codec.class.isAssignableFrom(cc)) {
                    throw new ConfigException(source, at + ".codec", "'" + codec + "' is not json, serializable or a "
                            + "class implementing " + dev.persist.store.Codec.class.getName());
                }
            }
        }
        List<String> allow = defaultAllow;
        if (c.has("serialization")) {
            allow = new ArrayList<>(defaultAllow);
            allow.addAll(serialAllow(c.get("serialization"), at + ".serialization"));
        }
        OnUnencodable onUnencodable = c.has("onUnencodable")
                ? onUnencodable(c.get("onUnencodable"), at + ".onUnencodable") : defaultOnUnencodable;
        boolean statistics = c.has("statistics") ? bool(c.get("statistics"), at + ".statistics") : defaultStatistics;
        IntegrationSettings integration = integration(c, at);
        ClusterMode clusterMode = c.has("cluster") ? ClusterParser.cacheMode(this, c.get("cluster"), at + ".cluster")
                : null;
        if (clustered && integration.writeBehind() != null && clusterMode != ClusterMode.OFF) {
            throw new ConfigException(source, at + ".cluster", "a cache with writeBehind cannot be clustered (each "
                    + "change keeps one queue record beside it, and write-behind has it); set cluster: off, or use "
                    + "a writer without writeBehind (write-through)");
        }
        return new CacheSettings(tiers, maximumSize, maximumWeight, afterWrite, keyType, valueType, codec, allow,
                true, onUnencodable, statistics, integration, diskBytes, clusterMode, false);
    }

    /**
     * The bounds of a cache or of {@code defaults}: {@code maximumSize} or {@code maximumWeight} (a cache only),
     * {@code memory}, {@code disk}; with {@code disk} and no memory bound, a front of
     * {@link CacheSettings#DEFAULT_FRONT_SIZE} entries.
     */
    private CacheBounds bounds(ObjectNode c, String at, OperationTiers tiers, JsonNode size, JsonNode weight) {
        Long maximumSize = size != null ? positiveLong(size, at + ".maximumSize") : null;
        Long maximumWeight = weight != null ? positiveLong(weight, at + ".maximumWeight") : null;
        if (maximumSize != null && maximumWeight != null) {
            throw new ConfigException(source, at + ".maximumWeight", "cannot be set with maximumSize; choose one");
        }
        if (c.has("memory")) {
            String m = at + ".memory";
            if (maximumSize != null || maximumWeight != null) {
                throw new ConfigException(source, m, "cannot be set with " + (maximumSize != null ? "maximumSize"
                        : "maximumWeight") + " beside it; bound the memory in one place (memory.maximumSize or "
                        + "memory.maximumWeight)");
            }
            ObjectNode mem = object(c.get("memory"), m);
            allowOnly(mem, m, MEMORY_KEYS);
            maximumSize = mem.has("maximumSize") ? positiveLong(mem.get("maximumSize"), m + ".maximumSize") : null;
            maximumWeight = mem.has("maximumWeight")
                    ? positiveLong(mem.get("maximumWeight"), m + ".maximumWeight") : null;
            if (maximumSize != null && maximumWeight != null) {
                throw new ConfigException(source, m + ".maximumWeight", "cannot be set with maximumSize; choose one");
            }
        }
        Long diskBytes = null;
        if (c.has("disk")) {
            diskBytes = disk(c, at, tiers);
            if (maximumSize == null && maximumWeight == null) {
                maximumSize = CacheSettings.DEFAULT_FRONT_SIZE;
            }
        }
        return new CacheBounds(maximumSize, maximumWeight, diskBytes);
    }

    /** A cache that takes {@code defaults.disk} must have no MEMORY tier either. */
    private void checkTiers(String at, boolean own, OperationTiers tiers, CacheBounds bounds) {
        if (bounds.diskBytes() != null) {
            memoryTier(at + ".durability" + (own ? "" : " (from defaults.durability)"), tiers,
                    " (its disk comes from defaults.disk)");
        }
    }

    private void memoryTier(String key, OperationTiers tiers, String why) {
        for (Map.Entry<String, Durability> kind : Map.of("put", tiers.put(), "remove", tiers.remove(), "invoke",
                tiers.invoke(), "load", tiers.load()).entrySet()) {
            if (kind.getValue() == Durability.MEMORY) {
                throw new ConfigException(source, key, "is memory for " + kind.getKey() + ", which a cache with disk"
                        + why + " cannot have (a value only in memory is lost when the memory front drops it); "
                        + "allowed: async, write, fsync");
            }
        }
    }

    /**
     * {@code disk: { maximumBytes }}: checked against the cache's other settings, since a disk-backed cache bounds
     * its memory under {@code memory} and has no MEMORY tier.
     *
     * @return the bound in bytes
     */
    private long disk(ObjectNode c, String at, OperationTiers tiers) {
        String d = at + ".disk";
        ObjectNode disk = object(c.get("disk"), d);
        allowOnly(disk, d, DISK_KEYS);
        if (!disk.has("maximumBytes")) {
            throw new ConfigException(source, d + ".maximumBytes", "is required: the most bytes of live records the "
                    + "cache keeps on disk, such as 512MB or 20GB");
        }
        long bytes = byteSize(disk.get("maximumBytes"), d + ".maximumBytes");
        for (String bound : List.of("maximumSize", "maximumWeight")) {
            if (c.has(bound)) {
                throw new ConfigException(source, at + "." + bound, "cannot be set with disk: the cache's bound is "
                        + "disk.maximumBytes; bound its memory front with memory.maximumSize or memory.maximumWeight");
            }
        }
        memoryTier(at + ".durability" + (c.has("durability") || at.equals("defaults") ? "" : " (from "
                + "defaults.durability)"), tiers, "");
        return bytes;
    }

    /** A byte size: a whole number of bytes, or a whole number and KB, MB, GB or TB (powers of 1024). */
    private long byteSize(JsonNode node, String at) {
        String s = node.asText().trim();
        Matcher m = BYTES.matcher(s);
        long v = -1;
        if ((node.isIntegralNumber() || node.isTextual()) && m.matches()) {
            int shift = switch (m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT)) {
                case "kb" -> 10;
                case "mb" -> 20;
                case "gb" -> 30;
                case "tb" -> 40;
                default -> 0;
            };
            try {
                long n = Long.parseLong(m.group(1));
                v = n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
            } catch (NumberFormatException e) {
                v = -1;
            }
        }
        if (v <= 0) {
            throw new ConfigException(source, at, "must be a positive size such as 1048576, 512MB, 20GB or 1TB (units "
                    + "KB, MB, GB, TB are powers of 1024), got " + node);
        }
        return v;
    }

    private OnUnencodable onUnencodable(JsonNode node, String at) {
        String s = node.isTextual() ? node.asText().trim().toLowerCase(Locale.ROOT) : "";
        return switch (s) {
            case "fail" -> OnUnencodable.FAIL;
            case "skip" -> OnUnencodable.SKIP;
            default -> throw new ConfigException(source, at, "must be one of fail, skip, got "
                    + (node.isTextual() ? "'" + node.asText() + "'" : node.toString()));
        };
    }

    /** A boolean, also as the strings true and false (as Properties give it). */
    private boolean bool(JsonNode node, String at) {
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        String s = node.isTextual() ? node.asText().trim().toLowerCase(Locale.ROOT) : "";
        if (s.equals("true") || s.equals("false")) {
            return s.equals("true");
        }
        throw new ConfigException(source, at, "must be true or false, got " + node);
    }

    /**
     * A generation: a non-blank string of at most 200 characters (a number is taken as its text, so that
     * {@code generation: 42} works as {@code "42"}).
     */
    private String generation(JsonNode node, String at) {
        String s = node.isTextual() || node.isNumber() ? node.asText().trim() : null;
        if (s == null || s.isEmpty() || s.length() > 200) {
            throw new ConfigException(source, at, "must be a non-empty string of at most 200 characters (a schema "
                    + "version, a migration id, a value the database holds), got " + node);
        }
        return s;
    }


    /** {@code writer}, {@code loader} and {@code writeBehind} of a cache. */
    private IntegrationSettings integration(ObjectNode c, String at) {
        Class<?> writer = c.has("writer") ? component(c.get("writer"), at + ".writer",
                javax.cache.integration.CacheWriter.class) : null;
        Class<?> loader = c.has("loader") ? component(c.get("loader"), at + ".loader",
                javax.cache.integration.CacheLoader.class) : null;
        WriteBehindSettings behind = null;
        if (c.has("writeBehind")) {
            behind = writeBehind(c.get("writeBehind"), at + ".writeBehind");
        }
        return writer == null && loader == null && behind == null ? IntegrationSettings.NONE
                : new IntegrationSettings(writer, loader, behind);
    }

    /** A class implementing {@code kind} or {@link javax.cache.configuration.Factory}, with a no-argument constructor. */
    private Class<?> component(JsonNode node, String at, Class<?> kind) {
        Class<?> type = type(node, at);
        if (!kind.isAssignableFrom(type) && !javax.cache.configuration.Factory.class.isAssignableFrom(type)) {
            throw new ConfigException(source, at, "'" + type.getName() + "' implements neither " + kind.getName()
                    + " nor " + javax.cache.configuration.Factory.class.getName() + " (of a " + kind.getSimpleName()
                    + ")");
        }
        try {
            type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new ConfigException(source, at, "'" + type.getName() + "' has no public no-argument constructor");
        }
        return type;
    }

    /** {@code writeBehind: { delay, batchSize, coalesce, retry: { initial, max, giveUpAfter }, flushOnClose }}. */
    private WriteBehindSettings writeBehind(JsonNode node, String at) {
        WriteBehindSettings d = WriteBehindSettings.DEFAULTS;
        if (node == null || node.isNull() || (node.isTextual() && node.asText().isBlank())) {
            return d;
        }
        ObjectNode w = object(node, at);
        allowOnly(w, at, WRITE_BEHIND_KEYS);
        Duration delay = w.has("delay") ? positiveDuration(w.get("delay"), at + ".delay") : d.delay();
        long batch = w.has("batchSize") ? positiveLong(w.get("batchSize"), at + ".batchSize") : d.batchSize();
        if (batch > 1_000_000) {
            throw new ConfigException(source, at + ".batchSize", "must be a whole number from 1 to 1000000, got "
                    + w.get("batchSize"));
        }
        if (w.has("coalesce") && !"true".equals(w.get("coalesce").asText().trim())) {
            throw new ConfigException(source, at + ".coalesce", "must be true, got " + w.get("coalesce") + " (the "
                    + "log keeps one pending state per key, so updates between deliveries always coalesce; for a "
                    + "call per update use write-through: a writer without writeBehind)");
        }
        Duration initial = d.retryInitial();
        Duration max = d.retryMax();
        Duration giveUp = null;
        if (w.has("retry")) {
            ObjectNode r = object(w.get("retry"), at + ".retry");
            allowOnly(r, at + ".retry", RETRY_KEYS);
            initial = r.has("initial") ? positiveDuration(r.get("initial"), at + ".retry.initial") : initial;
            max = r.has("max") ? positiveDuration(r.get("max"), at + ".retry.max") : max;
            if (r.has("giveUpAfter")) {
                giveUp = positiveDuration(r.get("giveUpAfter"), at + ".retry.giveUpAfter");
            }
            if (max.compareTo(initial) < 0) {
                throw new ConfigException(source, at + ".retry.max", "must not be shorter than retry.initial ("
                        + initial + "), got " + max);
            }
        }
        Duration flush = w.has("flushOnClose") ? positiveDuration(w.get("flushOnClose"), at + ".flushOnClose")
                : d.flushOnClose();
        return new WriteBehindSettings(delay, (int) batch, true, initial, max, giveUp, flush);
    }

    /**
     * {@code serialization: { allow: [pattern, ...] }}, the list also as one comma-separated string.
     *
     * @return the class patterns, each checked by {@link SerialAllowlist#problemWith}
     */
    private List<String> serialAllow(JsonNode node, String at) {
        ObjectNode s = object(node, at);
        allowOnly(s, at, SERIALIZATION_KEYS);
        JsonNode allow = s.get("allow");
        String key = at + ".allow";
        List<String> out = new ArrayList<>();
        if (allow == null || allow.isNull()) {
            return out;
        }
        if (allow.isTextual()) {
            for (String part : allow.asText().split(",", -1)) {
                out.add(classPattern(part.trim(), key));
            }
        } else if (allow.isArray()) {
            for (int i = 0; i < allow.size(); i++) {
                JsonNode item = allow.get(i);
                if (!item.isTextual()) {
                    throw new ConfigException(source, key + "[" + i + "]", "must be a class pattern (a string such "
                            + "as com.example.Order, com.example.*, com.example.**), got " + item);
                }
                out.add(classPattern(item.asText().trim(), key + "[" + i + "]"));
            }
        } else {
            throw new ConfigException(source, key, "must be a list of class patterns (com.example.Order, "
                    + "com.example.*, com.example.**, com.example.Ord*) or one string of them separated by commas, "
                    + "got " + allow);
        }
        return out;
    }

    private String classPattern(String pattern, String at) {
        String problem = SerialAllowlist.problemWith(pattern);
        if (problem != null) {
            throw new ConfigException(source, at, problem);
        }
        return pattern;
    }

    /** A single tier, or {default, put, remove, invoke, load}; kinds not named take default, else {@code base}. */
    private OperationTiers tiers(JsonNode node, String at, OperationTiers base) {
        if (!node.isObject()) {
            return OperationTiers.all(tier(node, at));
        }
        ObjectNode o = (ObjectNode) node;
        allowOnly(o, at, DURABILITY_KEYS);
        OperationTiers b = o.has("default") ? OperationTiers.all(tier(o.get("default"), at + ".default")) : base;
        return new OperationTiers(
                o.has("put") ? tier(o.get("put"), at + ".put") : b.put(),
                o.has("remove") ? tier(o.get("remove"), at + ".remove") : b.remove(),
                o.has("invoke") ? tier(o.get("invoke"), at + ".invoke") : b.invoke(),
                o.has("load") ? tier(o.get("load"), at + ".load") : b.load());
    }

    private OperationTiers tiers(JsonNode node, String at, Durability base) {
        return tiers(node, at, OperationTiers.all(base));
    }

    Durability tier(JsonNode node, String at) {
        if (!node.isTextual()) {
            throw new ConfigException(source, at, "must be one of " + TIERS + ", got " + node);
        }
        if (isReplicated(node)) {
            // replicated is WRITE in the log, plus the wait for Kafka: a whole cache's, read by replicated()
            if (!at.endsWith(".durability") && !at.endsWith(".durability.default")) {
                throw new ConfigException(source, at, "replicated applies to a whole cache: set durability: "
                        + "replicated (or durability.default), not one kind of operation");
            }
            if (!clustered) {
                throw new ConfigException(source, at, "replicated needs the top-level cluster setting (a Kafka "
                        + "topic to replicate to); see docs/cluster.md");
            }
            return Durability.WRITE;
        }
        return parseTier(source, at, node.asText());
    }

    private static boolean isReplicated(JsonNode node) {
        return node.isTextual() && node.asText().trim().equalsIgnoreCase("replicated");
    }

    /** Whether a {@code durability} setting (a tier, or a mapping with {@code default}) is {@code replicated}. */
    private boolean replicated(JsonNode durability, String at) {
        return isReplicated(durability) || durability.isObject() && durability.has("default")
                && isReplicated(durability.get("default"));
    }

    static Durability parseTier(String source, String at, String text) {
        try {
            return Durability.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, at, "must be one of " + TIERS + ", got '" + text + "'");
        }
    }

    Duration positiveDuration(JsonNode node, String at) {
        String s = node.asText().trim();
        Duration d = null;
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(s);
            } catch (DateTimeParseException ignored) {
                // reported below with what is allowed
            }
        }
        if (d == null || d.isZero() || d.isNegative()) {
            throw new ConfigException(source, at, "must be a positive duration such as 500ms, 1s, 5m, 1h, 2d or "
                    + "PT1S, got '" + s + "'");
        }
        return d;
    }

    private Class<?> type(JsonNode node, String at) {
        String name = text(node, at);
        try {
            return Class.forName(name, false, classLoader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException(source, at, "class '" + name + "' not found (a fully qualified class name is "
                    + "expected)");
        }
    }

    String text(JsonNode node, String at) {
        if (!node.isTextual()) {
            throw new ConfigException(source, at, "must be a string, got " + node);
        }
        return node.asText();
    }

    private double number(JsonNode node, String at) {
        if (node.isNumber()) {
            return node.asDouble();
        }
        try {
            return Double.parseDouble(node.asText().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(source, at, "must be a number, got " + node);
        }
    }

    private long positiveLong(JsonNode node, String at) {
        long v;
        if (node.isIntegralNumber()) {
            v = node.asLong();
        } else {
            try {
                v = Long.parseLong(node.asText().trim());
            } catch (NumberFormatException e) {
                v = -1;
            }
        }
        if (v <= 0) {
            throw new ConfigException(source, at, "must be a positive whole number, got " + node);
        }
        return v;
    }

    ObjectNode object(JsonNode node, String at) {
        if (!(node instanceof ObjectNode o)) {
            throw new ConfigException(source, at, "must be a mapping of settings, got " + node);
        }
        return o;
    }

    void allowOnly(ObjectNode node, String at, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new ConfigException(source, at.isEmpty() ? k : at + "." + k,
                        "unknown setting; allowed here: " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }
}
