package dev.persist.testkit;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Damage of chosen bytes of a file, for tests of what a reader does with them. */
public final class FileDamage {
    private FileDamage() {
    }

    /** @return the offset of the first occurrence of {@code text} (UTF-8) in the file; fails the test if none */
    public static long offsetOf(Path file, String text) throws IOException {
        byte[] all = Files.readAllBytes(file);
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + needle.length <= all.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (all[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(text + " not in " + file);
    }

    /** Changes one bit of the byte at {@code offset}. */
    public static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x20);
        }
    }

    /** Changes one bit of the byte at {@code at} within the first occurrence of {@code text} in the file. */
    public static void flipIn(Path file, String text, int at) throws IOException {
        flip(file, offsetOf(file, text) + at);
    }
}
