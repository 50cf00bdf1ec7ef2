package dev.persist.jcache.codec;

import dev.persist.jcache.config.CacheSettings;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The classes Java serialization may read and write for one cache: JDK value types and the cache entries of Spring
 * and Hibernate ({@link #DEFAULT_ALLOW}), plus the patterns of the configuration's {@code serialization.allow},
 * behind resource {@link #LIMITS}; every other class is refused ({@code !*}).
 *
 * <p>The system property {@value #FILTER_PROPERTY}, if set, replaces the whole pattern (JDK
 * {@code jdk.serialFilter} syntax): an escape hatch for operators, which also turns the configured lists off.
 */
public final class SerialAllowlist {
    /** System property holding a pattern that replaces the allowlist of every cache. */
    public static final String FILTER_PROPERTY = "persist.jcache.serialFilter";

    /** Resource limits, kept whatever is allowed. */
    public static final String LIMITS = "maxdepth=100;maxrefs=1000000;maxbytes=268435456;maxarray=100000000";

    /**
     * Classes every cache may hold: JDK value types ({@code java.lang.*} without its sub-packages, so neither
     * {@code java.lang.invoke.SerializedLambda} nor {@code java.lang.reflect.Proxy}; not {@code java.net.URL}),
     * Spring's cached null and {@code SimpleKey}, and the keys and entries Hibernate ORM 6.6 puts into its
     * second-level cache regions.
     * Arrays are decided by their element type; arrays of primitives are always allowed.
     */
    public static final List<String> DEFAULT_ALLOW = List.of(
            "java.lang.*", "java.util.*", "java.util.concurrent.*", "java.util.concurrent.atomic.*",
            // the locks a serialized ConcurrentHashMap holds (its segments are ReentrantLocks)
            "java.util.concurrent.locks.*",
            "java.time.*", "java.math.*", "java.net.URI", "java.sql.Date", "java.sql.Time", "java.sql.Timestamp",
            // Spring's cached null, and its key of methods with no or several parameters
            "org.springframework.cache.support.NullValue", "org.springframework.cache.interceptor.SimpleKey",
            // Hibernate ORM 6.6: cache keys, entity and collection entries (their state is a Serializable[], an
            // array checked by its element type: the interface; each element is checked on its own), read-write
            // locks and items, query results
            "java.io.Serializable", "org.hibernate.cache.internal.*", "org.hibernate.cache.spi.entry.*",
            "org.hibernate.cache.spi.support.AbstractReadWriteAccess$*", "org.hibernate.cache.spi.QueryKey",
            "org.hibernate.query.internal.QueryParameterBindingsImpl$ParameterBindingsMementoImpl",
            // markers Hibernate puts into entries for lazy attributes not fetched and unknown back-references
            "org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer$1",
            "org.hibernate.property.access.internal.PropertyAccessStrategyBackRefImpl$1");

    /** A JDK class pattern: a class name, {@code pkg.*}, {@code pkg.**} or {@code prefix*}, or {@code *}. */
    private static final Pattern CLASS_PATTERN = Pattern.compile(
            "\\*|\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(\\.\\p{javaJavaIdentifierStart}"
                    + "\\p{javaJavaIdentifierPart}*)*(\\.\\*\\*|\\.\\*|\\*)?");

    private final String cacheName;
    private final List<String> allow;
    private final String replacement;
    private final ObjectInputFilter filter;

    private SerialAllowlist(String cacheName, List<String> allow) {
        this.cacheName = cacheName;
        this.allow = List.copyOf(allow);
        String property = System.getProperty(FILTER_PROPERTY);
        this.replacement = property == null || property.isBlank() ? null : property.trim();
        this.filter = ObjectInputFilter.Config.createFilter(pattern());
    }

    /**
     * @param cacheName the cache, for messages (null: a codec of no cache)
     * @param allow     class patterns allowed beyond {@link #DEFAULT_ALLOW}; each must pass {@link #problemWith}
     * @return the allowlist
     * @throws IllegalArgumentException if a pattern is not a class pattern
     */
    public static SerialAllowlist of(String cacheName, Collection<String> allow) {
        for (String p : allow) {
            String problem = problemWith(p);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        return new SerialAllowlist(cacheName, new ArrayList<>(allow));
    }

    /**
     * The allowlist of a cache: its configured patterns, and its declared key and value types (those other than
     * {@code Object}: the application named them, so Java serialization may write and read them).
     *
     * @param cacheName     the cache, for messages
     * @param allow         class patterns allowed beyond {@link #DEFAULT_ALLOW}; each must pass {@link #problemWith}
     * @param declaredTypes the cache's key and value types
     * @return the allowlist
     * @throws IllegalArgumentException if a pattern is not a class pattern
     */
    public static SerialAllowlist of(String cacheName, Collection<String> allow, Class<?>... declaredTypes) {
        List<String> all = new ArrayList<>(allow);
        for (Class<?> t : declaredTypes) {
            Class<?> c = t;
            while (c != null && c.isArray()) {
                c = c.getComponentType();
            }
            if (c != null && c != Object.class && !c.isPrimitive() && problemWith(c.getName()) == null
                    && !all.contains(c.getName())) {
                all.add(c.getName());
            }
        }
        return of(cacheName, all);
    }

    /** @return the default allowlist, for a codec of no particular cache */
    public static SerialAllowlist defaults() {
        return new SerialAllowlist(null, List.of());
    }

    /**
     * @param pattern a configured entry
     * @return null if it is a class pattern ({@code com.example.Order}, {@code com.example.*},
     *         {@code com.example.**}, {@code com.example.Ord*}), else what is wrong with it
     */
    public static String problemWith(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return "must be a class pattern (com.example.Order, com.example.*, com.example.**, com.example.Ord*), "
                    + "got a blank entry";
        }
        if (!CLASS_PATTERN.matcher(pattern).matches()) {
            return "must be a class pattern (com.example.Order, com.example.*, com.example.**, com.example.Ord*); "
                    + "no '!', ';', '=', limits, modules or spaces; got '" + pattern + "'";
        }
        return null;
    }

    /** @return the filter pattern in JDK syntax: the replacement of {@value #FILTER_PROPERTY}, else ours */
    public String pattern() {
        if (replacement != null) {
            return replacement;
        }
        StringBuilder sb = new StringBuilder(LIMITS);
        for (String p : DEFAULT_ALLOW) {
            sb.append(';').append(p);
        }
        for (String p : allow) {
            sb.append(';').append(p);
        }
        return sb.append(";!*").toString();
    }

    /** @return the limits in force: {@link #LIMITS}, or the whole replacement pattern of {@value #FILTER_PROPERTY} */
    public String limits() {
        return replacement != null ? replacement : LIMITS;
    }

    /** @return the filter of {@link #pattern()} */
    public ObjectInputFilter filter() {
        return filter;
    }

    /** @return the patterns allowed beyond the defaults */
    public List<String> allowed() {
        return allow;
    }

    /** @return the cache these classes are allowed for, or null */
    public String cacheName() {
        return cacheName;
    }

    /**
     * @param serialClass a class a stream named
     * @return why it is refused, naming the setting that would allow it
     */
    String refusal(Class<?> serialClass) {
        Class<?> c = serialClass;
        while (c.isArray()) {
            c = c.getComponentType();
        }
        String what = (java.lang.reflect.Proxy.isProxyClass(c) ? "dynamic proxy class " : "class ") + c.getName();
        if (replacement != null) {
            return what + " is not allowed by the serialization filter of system property " + FILTER_PROPERTY
                    + " ('" + replacement + "')";
        }
        String name = c.getName();
        if (cacheName == null) {
            return what + " is not allowed by the serialization allowlist; allow it for every cache under "
                    + "defaults.serialization.allow (in the YAML or JSON file: defaults: { serialization: { allow: [ \""
                    + name + "\" ] } }; as a Properties override: defaults.serialization.allow=" + name + ")";
        }
        // The defaults come first: with Hibernate (query cache layout FULL, its default since 6.5) the
        // query-results region holds whole entity states, so a class allowed on the entity's region alone is still
        // refused there; the per-cache form is the narrower second choice, in the exact key a user writes.
        String cachePath = CacheSettings.pathOf(cacheName);
        return what + " is not allowed by the serialization allowlist of cache '" + cacheName + "'. Allow it for "
                + "every cache under defaults.serialization.allow (the choice with Hibernate, whose query-results "
                + "region holds whole entity states): in the YAML or JSON file: defaults: { serialization: { allow: "
                + "[ \"" + name + "\" ] } }; as a Properties override: defaults.serialization.allow=" + name
                + ". Or for this cache only, under " + cachePath + ".serialization.allow: in the file: caches: { "
                + yamlKey(cacheName) + ": { serialization: { allow: [ \"" + name + "\" ] } } }; as a Properties "
                + "override: " + cachePath + ".serialization.allow=" + name;
    }

    /** A cache name as a YAML or JSON mapping key: quoted unless it is a plain word (dots and dashes allowed). */
    private static String yamlKey(String cacheName) {
        return cacheName.matches("[A-Za-z_][A-Za-z0-9_.$-]*") ? cacheName
                : "\"" + cacheName.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public String toString() {
        return pattern();
    }
}
