package dev.persist.jcache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Serialized values as someone who can write the log file could forge them: only allowed JDK classes, but sizes
 * and shapes no application wrote.
 */
final class HostileBytes {
    /** Just under the filter's maxarray of 100,000,000. */
    static final int JUST_UNDER_MAXARRAY = 99_999_999;

    private HostileBytes() {
    }

    /** Bytes as anyone could write them: a plain ObjectOutputStream, no allowlist, no bounds. */
    static byte[] serialize(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** As the provider logs a value: 8 bytes of expiry (never), then the value codec's bytes. */
    static byte[] envelope(byte[] value) {
        return ByteBuffer.allocate(8 + value.length).putLong(Long.MAX_VALUE).put(value).array();
    }

    /** 27 bytes declaring a {@code long[length]} and holding none of its elements. */
    static byte[] longArray(int length) {
        byte[] b = serialize(new long[0]);
        ByteBuffer.wrap(b).putInt(b.length - 4, length);
        return b;
    }

    /** An {@code ArrayList} of one null whose {@code size} field says {@code size}. */
    static byte[] arrayListOfSize(int size) {
        byte[] b = serialize(new ArrayList<>(Collections.singletonList(null)));
        // the size field (1), then the block of ArrayList.writeObject: TC_BLOCKDATA, 4, the size again
        int at = indexOf(b, new byte[] {0, 0, 0, 1, 0x77, 4, 0, 0, 0, 1});
        ByteBuffer.wrap(b).putInt(at, size);
        return b;
    }

    /** A {@code HashMap} of one null mapping whose stream says it has {@code mappings}. */
    static byte[] hashMapOfSize(int mappings) {
        HashMap<Object, Object> m = new HashMap<>();
        m.put(null, null);
        byte[] b = serialize(m);
        // the block of HashMap.writeObject: TC_BLOCKDATA, 8, the table capacity (16), the number of mappings (1)
        int at = indexOf(b, new byte[] {0x77, 8, 0, 0, 0, 16, 0, 0, 0, 1});
        ByteBuffer.wrap(b).putInt(at + 6, mappings);
        return b;
    }

    /**
     * Nested {@code HashSet}s of {@code String}s, {@code depth} levels of {@code width} sets each, where every set
     * holds all the sets of the level below (and a string of its own): a few bytes per level, but hashing a set
     * visits its elements, and theirs, so the work grows as {@code width^depth}. Built from the top down, so that
     * building it hashes only sets still holding their one string.
     */
    static byte[] nestedSets(int depth, int width) {
        Set<Object> root = new HashSet<>();
        List<Set<Object>> above = List.of(root);
        for (int d = 0; d < depth; d++) {
            List<Set<Object>> level = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                Set<Object> s = new HashSet<>();
                s.add(d + "." + i);
                level.add(s);
            }
            for (Set<Object> parent : above) {
                parent.addAll(level);
            }
            above = level;
        }
        return serialize(root);
    }

    static int indexOf(byte[] b, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= b.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (b[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("pattern not found in the serialized form");
    }
}
