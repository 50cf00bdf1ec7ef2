package dev.persist.store;

import dev.persist.store.log.RecordFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shapes a power cut leaves in a log, built by hand: writes after the last fsync reach the disk sector by sector
 * (512 bytes, each written whole with what the page cache held), in any order, and a sector never written reads as
 * zeros. Such a log must open (salvage off) without what was never durable; corruption of written data must still
 * be refused. The power-cut simulation (dev.persist.store.power) found both shapes refused as corrupt.
 */
class UnsyncedWritesShapeTest {
    private static final byte[] NS = "m".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** A log of {@code n} records k0..k(n-1) with values of {@code valueBytes} to 6 more bytes; the record offsets. */
    private static byte[] log(int n, int valueBytes, List<Long> offsets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RecordFormat.header());
        for (int i = 0; i < n; i++) {
            offsets.add((long) out.size());
            byte[] value = new byte[valueBytes + i % 7];
            Arrays.fill(value, (byte) ('a' + i % 26));
            out.writeBytes(RecordFormat.encodeSet(NS, ("k" + i).getBytes(StandardCharsets.UTF_8), value));
        }
        return out.toByteArray();
    }

    /** A log of a filler record "f" sized so that the next record starts at {@code offset}, then 20 small ones. */
    private static byte[] logWithARecordAt(long offset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RecordFormat.header());
        int filler = 0;
        while (RecordFormat.HEADER_SIZE + RecordFormat.encodeSet(NS, new byte[] {'f'}, new byte[filler]).length < offset) {
            filler++;
        }
        out.writeBytes(RecordFormat.encodeSet(NS, new byte[] {'f'}, new byte[filler]));
        assertThat((long) out.size()).isEqualTo(offset);
        for (int i = 0; i < 20; i++) {
            out.writeBytes(RecordFormat.encodeSet(NS, ("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {'v', 'v'}));
        }
        return out.toByteArray();
    }

    private Map<String, Integer> open(byte[] image, long[] torn) throws Exception {
        Path log = dir.resolve("s" + System.nanoTime() + ".log");
        Files.write(log, image);
        try (Store store = Store.open(log, StoreOptions.defaults().syncInterval(Duration.ofHours(1)))) {
            torn[0] = store.stats().tornBytesTruncated();
            Map<String, Integer> found = new TreeMap<>();
            store.orphans("m").forEach(r -> found.put(r.keyAsString(), r.value().length));
            return found;
        }
    }

    /** The first record that starts at least {@code room} bytes before the end of its sector, after the third. */
    private static int recordWithRoom(List<Long> offsets, int room) {
        for (int i = 3; i < offsets.size() - 30; i++) {
            long o = offsets.get(i);
            if (512 - o % 512 >= room) {
                return i;
            }
        }
        throw new AssertionError("no such record");
    }

    @Test
    void aLostSectorTailAfterTheLastFsyncIsCutOffLikeATornTail() throws Exception {
        List<Long> offsets = new ArrayList<>();
        byte[] full = log(60, 30, offsets);
        int i = recordWithRoom(offsets, 20);
        long d = offsets.get(i);
        // the sector holding record i was written back before record i's write, the later sectors after it
        byte[] image = full.clone();
        Arrays.fill(image, (int) d, (int) ((d / 512 + 1) * 512), (byte) 0);
        long[] torn = new long[1];
        Map<String, Integer> found = open(image, torn);
        assertThat(found).hasSize(i).containsKeys("k0", "k" + (i - 1)).doesNotContainKey("k" + i);
        assertThat(torn[0]).isEqualTo(image.length - d);
    }

    @Test
    void aLostSectorTailOfJustTheLengthFieldIsCutOffToo() throws Exception {
        // found by the simulation: a record starting 4 bytes before a sector's end, that sector written back before
        // the record's write, the next one after it: the length reads 0, the rest of the record is intact
        long d = 508;
        byte[] image = logWithARecordAt(d);
        Arrays.fill(image, (int) d, 512, (byte) 0);
        long[] torn = new long[1];
        assertThat(open(image, torn)).containsOnlyKeys("f");
        assertThat(torn[0]).isEqualTo(image.length - d);
    }

    @Test
    void aLostSectorTailOfALongRecordsFirstThreeBytesIsCutOffToo() throws Exception {
        // a 300-byte record starting 3 bytes before a sector's end: the lost tail zeroes the length's nonzero third
        // byte (it reads 300 - 256), which only the distance to the next record puts right
        long d = 509;
        byte[] small = logWithARecordAt(d);
        byte[] big = RecordFormat.encodeSet(NS, "big".getBytes(StandardCharsets.UTF_8), new byte[300]);
        byte[] image = Arrays.copyOf(small, small.length + big.length);
        System.arraycopy(big, 0, image, (int) d, big.length);
        System.arraycopy(small, (int) d, image, (int) d + big.length, small.length - (int) d);
        assertThat(image[(int) d + 2]).as("the length's third byte").isEqualTo((byte) 1);
        Arrays.fill(image, (int) d, 512, (byte) 0);
        long[] torn = new long[1];
        assertThat(open(image, torn)).containsOnlyKeys("f");
        assertThat(torn[0]).isEqualTo(image.length - d);
        // the same record with a flipped byte in its value instead is corruption
        byte[] flipped = Arrays.copyOf(small, small.length + big.length);
        System.arraycopy(big, 0, flipped, (int) d, big.length);
        System.arraycopy(small, (int) d, flipped, (int) d + big.length, small.length - (int) d);
        flipped[(int) d + 100] ^= 0x5A;
        assertThatThrownBy(() -> open(flipped, new long[1])).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("offset " + d);
    }

    @Test
    void aWholeLostSectorInsideARecordIsCutOffFromThatRecord() throws Exception {
        List<Long> offsets = new ArrayList<>();
        byte[] full = log(12, 1500, offsets);
        int i = 5;
        long d = offsets.get(i);
        long sector = (d / 512 + 1) * 512; // a sector boundary inside record 5 (1,500-byte value)
        byte[] image = full.clone();
        Arrays.fill(image, (int) sector, (int) sector + 512, (byte) 0);
        long[] torn = new long[1];
        assertThat(open(image, torn)).hasSize(i).doesNotContainKey("k" + i);
        assertThat(torn[0]).isEqualTo(image.length - d);
    }

    @Test
    void aFlippedByteWithValidRecordsAfterItIsStillRefused() {
        List<Long> offsets = new ArrayList<>();
        byte[] image = log(60, 30, offsets);
        int i = recordWithRoom(offsets, 20);
        image[(int) (offsets.get(i) + 12)] ^= 0x5A;
        assertThatThrownBy(() -> open(image, new long[1])).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("offset " + offsets.get(i));
    }

    @Test
    void zerosAtARecordStartThatCouldBeItsLengthsHighBytesAreNotEnough() {
        // a record starting 2 bytes before a sector's end, damaged further on: its first two bytes are zero as the
        // high bytes of any short record's length are, which says nothing about a lost sector
        long d = 510;
        byte[] image = logWithARecordAt(d);
        image[(int) d + 12] ^= 0x5A;
        assertThatThrownBy(() -> open(image, new long[1])).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("offset " + d);
    }

    @Test
    void aHeaderSizedFileOfZerosIsACreationCutShort() throws Exception {
        // the log's size reached the disk, its header's sector did not: no record was ever appended to it
        long[] torn = new long[1];
        assertThat(open(new byte[RecordFormat.HEADER_SIZE], torn)).isEmpty();
        assertThat(open(new byte[7], torn)).isEmpty();
        byte[] half = RecordFormat.header().clone();
        Arrays.fill(half, 8, half.length, (byte) 0);
        assertThat(open(half, torn)).isEmpty();
    }

    @Test
    void aHeaderSizedFileOfOtherBytesIsStillNotALog() {
        byte[] notALog = new byte[RecordFormat.HEADER_SIZE];
        Arrays.fill(notALog, (byte) 'x');
        assertThatThrownBy(() -> open(notALog, new long[1])).isInstanceOf(CorruptLogException.class)
                .hasMessageContaining("not a persist-jcache log");
    }
}
