package dev.persist.bench;

import java.io.Serializable;

/**
 * The value of the disk-tier benchmarks: about 1 KB ({@code data} of {@link #SIZE} bytes, plus the serialized
 * record's header), {@code Serializable}, not deeply immutable (a {@code byte[]}), so every store-by-value cache
 * holds it as bytes or as a copy.
 *
 * @param id      the key's index
 * @param version 0 when the data set is built, then what the put benchmark wrote
 * @param data    the payload
 */
public record Blob(int id, int version, byte[] data) implements Serializable {
    /** Payload bytes per value. */
    static final int SIZE = 1000;

    /** A value whose bytes depend on {@code id} and {@code version} (xorshift), so values do not all look alike. */
    static Blob of(int id, int version) {
        byte[] data = new byte[SIZE];
        long x = (id * 0x9E3779B97F4A7C15L) ^ (version + 1L) * 0xC2B2AE3D27D4EB4FL;
        for (int i = 0; i < SIZE; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int b = 0; b < 8 && i + b < SIZE; b++) {
                data[i + b] = (byte) (x >>> (8 * b));
            }
        }
        return new Blob(id, version, data);
    }
}
