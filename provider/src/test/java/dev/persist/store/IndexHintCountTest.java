package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index file's count of a namespace's keys only sizes the index, and is read before the body's checksum: a
 * damaged count (here the largest int) must not allocate for it. The open falls back to a full scan (the checksum
 * does not match) and every key reads back. Found by {@link DiskFuzzTest}, whose flips ran a test JVM out of memory.
 */
class IndexHintCountTest {
    @TempDir
    Path dir;

    private Store open(Path log) {
        return Store.open(log, StoreOptions.defaults().syncInterval(Duration.ofHours(1))
                .diskNamespaces(ns -> ns.equals("d")));
    }

    @Test
    void aDamagedKeyCountIsNotTrustedToSizeTheIndex() throws IOException {
        Path log = dir.resolve("a.log");
        try (Store store = open(log)) {
            PersistMap<String, String> m = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).disk(1L << 30));
            for (int i = 0; i < 100; i++) {
                m.set("k" + i, "v" + i);
            }
        }
        // the first entry is the namespace's: tag, varint id 0, varint length 1, "d", then the u32 count
        long countAt = 44 + 1 + 1 + 1 + 1;
        try (FileChannel ch = FileChannel.open(dir.resolve("a.log.index"), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer before = ByteBuffer.allocate(4);
            ch.read(before, countAt);
            assertThat(before.getInt(0)).as("the count as written").isEqualTo(100);
            ch.write(ByteBuffer.allocate(4).putInt(0, Integer.MAX_VALUE), countAt);
        }
        try (Store store = open(log)) {
            PersistMap<String, String> m = store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).disk(1L << 30));
            for (int i = 0; i < 100; i++) {
                assertThat(m.get("k" + i)).isEqualTo("v" + i);
            }
        }
    }
}
