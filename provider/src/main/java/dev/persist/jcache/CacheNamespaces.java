package dev.persist.jcache;

import dev.persist.jcache.config.ManagerSettings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Maps cache names (any string) to store namespaces (non-empty, no {@code ':'}, no control characters, at most 255
 * UTF-8 bytes), one-to-one:
 * <ul>
 *   <li>{@code '%'}, {@code '~'}, {@code ':'} and control characters (U+0000..U+001F, U+007F..U+009F) are written as
 *       {@code %XX}, the hex of their UTF-8 bytes; every other character is kept, so {@code com.example.Book} stays
 *       readable in dumps;</li>
 *   <li>the empty name becomes {@code ~};</li>
 *   <li>an escaped name longer than 255 bytes becomes its first 180 bytes (cut at a character boundary), {@code ~} and
 *       the SHA-256 of the full name in hex.</li>
 * </ul>
 * {@code '~'} appears unescaped only in the last two forms and {@code '%'} only as an escape, so no two names share
 * a namespace (up to a SHA-256 collision between two names longer than 255 bytes).
 */
public final class CacheNamespaces {
    private static final int MAX_BYTES = 255;
    private static final int PREFIX_BYTES = 180;

    private CacheNamespaces() {
    }

    /**
     * @param cacheName any string
     * @return its namespace
     */
    public static String namespaceOf(String cacheName) {
        return escapedOrHashed(cacheName);
    }

    /**
     * Which namespaces of a manager's store are disk-backed, for the store to read as indexes at open: those of the
     * caches configured with {@code disk}, and with {@code defaults.disk} those of every other cache (a cache's
     * namespace never starts with {@code ~} and a character, unlike the store's and write-behind's own).
     *
     * @param settings the manager's settings
     * @return true for a disk-backed namespace
     */
    public static Predicate<String> diskBacked(ManagerSettings settings) {
        Set<String> disk = new HashSet<>();
        Set<String> held = new HashSet<>();
        settings.caches().forEach((name, cache) -> (cache.diskBacked() ? disk : held).add(namespaceOf(name)));
        boolean byDefault = settings.bounds().diskBytes() != null;
        return ns -> disk.contains(ns) || (byDefault && !held.contains(ns) && (!ns.startsWith("~") || ns.equals("~")));
    }

    private static String escapedOrHashed(String cacheName) {
        if (cacheName.isEmpty()) {
            return "~";
        }
        StringBuilder sb = new StringBuilder(cacheName.length() + 8);
        cacheName.codePoints().forEach(cp -> {
            if (cp == '%' || cp == '~' || cp == ':' || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    sb.append('%').append(String.format("%02X", b & 0xFF));
                }
            } else {
                sb.appendCodePoint(cp);
            }
        });
        String escaped = sb.toString();
        if (escaped.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return escaped;
        }
        return prefix(escaped) + "~" + sha256(cacheName);
    }

    /**
     * The namespace of a cache's write-behind state (the keys that still owe the writer a call). It starts with
     * {@code ~wb~} (followed by the cache's namespace) or, when that would pass 255 bytes, {@code ~wb#} (followed by
     * the SHA-256 of the cache's namespace): a cache's namespace starts with {@code ~} only if it is the empty
     * name's {@code ~}, so this never names a cache, and the two forms never meet.
     *
     * @param cacheName any string
     * @return the namespace of its write-behind state
     */
    public static String writeBehindNamespaceOf(String cacheName) {
        return companionNamespaceOf("wb", cacheName);
    }

    /**
     * The namespace of what a clustered cache still owes the cluster's topic (changes not yet acknowledged by Kafka):
     * {@code ~cl~} or {@code ~cl#}, formed as {@link #writeBehindNamespaceOf}.
     *
     * @param cacheName any string
     * @return the namespace of its unpublished changes
     */
    public static String clusterOutboxNamespaceOf(String cacheName) {
        return companionNamespaceOf("cl", cacheName);
    }

    /**
     * The namespace of the topic offsets a clustered cache has applied, per key: {@code ~co~} or {@code ~co#}, formed
     * as {@link #writeBehindNamespaceOf}.
     *
     * @param cacheName any string
     * @return the namespace of its applied offsets
     */
    public static String clusterAppliedNamespaceOf(String cacheName) {
        return companionNamespaceOf("co", cacheName);
    }

    /**
     * The companion namespaces of a clustered cache, dropped with it when it is destroyed:
     * {@link #clusterOutboxNamespaceOf} and {@link #clusterAppliedNamespaceOf}.
     *
     * @param cacheName any string
     * @return their names
     */
    public static List<String> clusterCompanionsOf(String cacheName) {
        return List.of(clusterOutboxNamespaceOf(cacheName), clusterAppliedNamespaceOf(cacheName));
    }

    private static String companionNamespaceOf(String tag, String cacheName) {
        String ns = namespaceOf(cacheName);
        String direct = "~" + tag + "~" + ns;
        return direct.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES ? direct : "~" + tag + "#" + sha256(ns);
    }

    private static String prefix(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            if (out.size() + b.length > PREFIX_BYTES) {
                break;
            }
            out.writeBytes(b);
            i += Character.charCount(cp);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(64);
            for (byte b : d) {
                sb.append(String.format("%02x", b & 0xFF));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
