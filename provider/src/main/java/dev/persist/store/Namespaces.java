package dev.persist.store;

import java.nio.charset.StandardCharsets;

/** Rules for namespace names. */
final class Namespaces {
    static final int MAX_BYTES = 255;

    private Namespaces() {
    }

    /**
     * A namespace is shown as the prefix of {@code namespace:key} (in dumps and errors), so it cannot hold
     * {@code ':'}; control characters are refused so that it prints unambiguously. Keys need no such rule: the
     * format stores them length-prefixed, so any bytes are safe.
     */
    static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("namespace must be a non-empty string");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':') {
                throw new IllegalArgumentException("namespace '" + name + "' must not contain ':'");
            }
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                throw new IllegalArgumentException("namespace '" + name + "' contains control character U+"
                        + String.format("%04X", (int) c));
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("namespace '" + name + "' is longer than " + MAX_BYTES + " UTF-8 bytes");
        }
        return name;
    }
}
