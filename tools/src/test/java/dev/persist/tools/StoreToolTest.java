package dev.persist.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.persist.store.Codecs;
import dev.persist.store.CorruptLogException;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreToolTest {
    @TempDir
    Path dir;
    private Path log;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    record Book(String title, int year) {
    }

    @BeforeEach
    void writeLog() {
        log = dir.resolve("app.log");
        try (Store store = Store.open(log)) {
            PersistMap<String, Book> books = store.map("books", Book.class);
            PersistMap<String, String> notes = store.map("notes", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < 10; i++) {
                books.set("b" + i, new Book("Title " + i, 1990 + i), Durability.WRITE);
            }
            books.set("b0", new Book("Title 0, second edition", 2001));
            books.delete("b9");
            notes.set("n", "plain text");
        }
    }

    private int run(String... args) {
        return new StoreTool(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Flips one byte inside the record at index {@code n} (counted from the first record). */
    private long damageRecord(int n) throws Exception {
        List<Long> offsets = new ArrayList<>();
        dev.persist.store.LogFiles.read(log, r -> offsets.add(r.offset()));
        byte[] bytes = Files.readAllBytes(log);
        long at = offsets.get(n) + 10;
        bytes[(int) at] ^= 0x5A;
        Files.write(log, bytes);
        return offsets.get(n);
    }

    @Test
    void statsCountsRecordsAndLiveKeysPerNamespace() {
        assertThat(run("stats", log.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("records      13").contains("live keys    10").contains("damage       none");
        assertThat(out()).containsPattern("books\\s+12\\s+9").containsPattern("notes\\s+1\\s+1");
    }

    @Test
    void verifyOfACleanLogExitsZero() {
        assertThat(run("verify", log.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("13 valid record(s)").contains("clean");
    }

    @Test
    void verifyReportsCorruptionWithItsOffset() throws Exception {
        long offset = damageRecord(4);
        assertThat(run("verify", log.toString())).isEqualTo(StoreTool.CORRUPT);
        assertThat(out()).contains("offset " + offset + ": checksum mismatch").contains("CORRUPT").contains("12 valid record(s)");
    }

    @Test
    void verifyReportsATornTail() throws Exception {
        byte[] bytes = Files.readAllBytes(log);
        Files.write(log, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        assertThat(run("verify", log.toString())).isEqualTo(StoreTool.TORN_TAIL);
        assertThat(out()).contains("torn tail");
    }

    @Test
    void zerosPastTheLastRecordAreReportedButAreNotDamage() throws Exception {
        long end = Files.size(log);
        Files.write(log, new byte[3 * 65_536 + 7], java.nio.file.StandardOpenOption.APPEND);
        assertThat(run("verify", log.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("offset " + end + ": " + (3 * 65_536 + 7) + " byte(s) of zeros past the last record")
                .contains("13 valid record(s)").contains("clean");
        out.reset();
        assertThat(run("stats", log.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("damage       none");
        assertThat(run("dump", log.toString())).isEqualTo(StoreTool.OK);
        assertThat(err.toString(StandardCharsets.UTF_8)).as("dump's report of skipped damage").isEmpty();
    }

    @Test
    void zerosEndingInAnythingElseAreATornTail() throws Exception {
        byte[] tail = new byte[2 * 65_536 + 100];
        tail[tail.length - 1] = 1; // past the first 64 KiB chunk the check reads
        Files.write(log, tail, java.nio.file.StandardOpenOption.APPEND);
        assertThat(run("verify", log.toString())).isEqualTo(StoreTool.TORN_TAIL);
        assertThat(out()).contains("torn tail").doesNotContain("zeros past the last record");
    }

    @Test
    void verifyOfARunningStoresLogExitsZero() {
        Path running = dir.resolve("running.log");
        try (Store store = Store.open(running)) {
            PersistMap<String, String> notes = store.map("notes", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < 100; i++) {
                notes.set("n" + i, "text " + i, Durability.WRITE);
            }
            // on Linux the store writes zeros up to 4 MiB ahead of its records while it is open (mapped appends)
            assertThat(run("verify", running.toString())).isEqualTo(StoreTool.OK);
            assertThat(out()).contains("100 valid record(s)").contains("clean");
        }
    }

    @Test
    void verifyOfAFileThatIsNotALogExitsThree() throws Exception {
        Path other = dir.resolve("other.txt");
        Files.writeString(other, "hello, I am not a log file");
        assertThat(run("verify", other.toString())).isEqualTo(StoreTool.UNREADABLE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a persist-jcache log").contains(other.toString());
    }

    @Test
    void dumpPrintsOneJsonLinePerRecordOfTheNamespace() throws Exception {
        assertThat(run("dump", log.toString(), "books")).isEqualTo(StoreTool.OK);
        String[] lines = out().split("\\R");
        assertThat(lines).hasSize(12);
        ObjectMapper m = new ObjectMapper();
        JsonNode first = m.readTree(lines[0]);
        assertThat(first.get("op").asText()).isEqualTo("set");
        assertThat(first.get("key").asText()).isEqualTo("b0");
        assertThat(first.get("value").get("title").asText()).isEqualTo("Title 0");
        JsonNode last = m.readTree(lines[11]);
        assertThat(last.get("op").asText()).isEqualTo("delete");
        assertThat(last.has("value")).isFalse();
    }

    @Test
    void dumpMarksTheFirstRecordOfAPair() throws Exception {
        Path paired = dir.resolve("paired.log");
        try (Store store = Store.open(paired)) {
            PersistMap<String, String> main = store.map("main", Codecs.utf8(), Codecs.utf8());
            PersistMap<String, String> side = store.map("side", Codecs.utf8(), Codecs.utf8());
            main.update("k", u -> {
                u.set("v");
                u.setIn(side, "owed");
            }, Durability.WRITE);
            main.set("alone", "w", Durability.WRITE);
        }
        assertThat(run("dump", paired.toString())).isEqualTo(StoreTool.OK);
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out().split("\\R")) {
            lines.add(m.readTree(line));
        }
        assertThat(lines).extracting(l -> l.get("namespace").asText() + " " + l.get("valueText").asText() + " "
                + l.path("pairedWithNext").asBoolean(false))
                .containsExactly("side owed true", "main v false", "main w false");
    }

    @Test
    void dumpSkipsDamageAndSaysSo() throws Exception {
        damageRecord(2);
        assertThat(run("dump", log.toString())).isEqualTo(StoreTool.OK);
        assertThat(out().split("\\R")).hasSize(12);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("skipped").contains("checksum mismatch");
    }

    @Test
    void salvageCopiesEveryValidRecordIntoALogThatOpens() throws Exception {
        damageRecord(3); // b3's record
        assertThatThrownBy(() -> Store.open(log)).isInstanceOf(CorruptLogException.class);
        Path fixed = dir.resolve("fixed.log");
        assertThat(run("salvage", log.toString(), fixed.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("copied 12 valid record(s)");
        try (Store store = Store.open(fixed)) {
            PersistMap<String, Book> books = store.map("books", Book.class);
            assertThat(books.get("b3")).isNull();
            assertThat(books.get("b0")).isEqualTo(new Book("Title 0, second edition", 2001));
            assertThat(books.get("b9")).isNull();
            assertThat(books.size()).isEqualTo(8);
        }
    }

    @Test
    void salvageNeverOverwritesAFile() throws Exception {
        Path existing = dir.resolve("existing.log");
        Files.writeString(existing, "keep me");
        assertThat(run("salvage", log.toString(), existing.toString())).isEqualTo(StoreTool.UNREADABLE);
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }

    @Test
    void shrinkRewritesTheLiveStateAndRefusesWhileTheStoreIsOpen() {
        assertThat(run("shrink", log.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("13 record(s)").contains("-> 10 record(s)");
        try (Store ignored = Store.open(log)) {
            assertThat(run("shrink", log.toString())).isEqualTo(StoreTool.UNREADABLE);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("locked");
        }
    }

    @Test
    void backupCopiesAStoppedStoreThatOpensWithEverythingAndRefusesARunningOne() throws Exception {
        Path copy = dir.resolve("copy");
        assertThat(run("backup", log.toString(), copy.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("copied " + copy.resolve("app.log")).contains("file(s) copied to " + copy);
        try (Store store = Store.open(copy.resolve("app.log"))) {
            PersistMap<String, Book> books = store.map("books", Book.class);
            assertThat(books.size()).isEqualTo(9);
            assertThat(books.get("b0").title()).isEqualTo("Title 0, second edition");
            assertThat(books.get("b9")).isNull();
            assertThat(store.map("notes", Codecs.utf8(), Codecs.utf8()).get("n")).isEqualTo("plain text");
        }

        assertThat(run("backup", log.toString(), copy.toString())).as("a directory that is not empty")
                .isEqualTo(StoreTool.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not empty");
        err.reset();
        try (Store ignored = Store.open(log)) {
            assertThat(run("backup", log.toString(), dir.resolve("other").toString()))
                    .isEqualTo(StoreTool.UNREADABLE);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("locked").contains("MBean");
        }
        assertThat(dir.resolve("other")).doesNotExist();
    }

    /** A log of several segment files, given by its configured path: every command reads all of them. */
    @Test
    void everyCommandWorksOnALogOfSegments() throws Exception {
        Path seg = dir.resolve("seg.log");
        try (Store store = Store.open(seg, dev.persist.store.StoreOptions.defaults().segmentBytes(1024))) {
            PersistMap<String, String> notes = store.map("notes", Codecs.utf8(), Codecs.utf8());
            for (int i = 0; i < 100; i++) {
                notes.set("k" + i % 20, "v".repeat(50) + i);
            }
        }
        assertThat(dev.persist.store.LogFiles.segments(seg).size()).isGreaterThan(3);
        assertThat(run("verify", seg.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("100 valid record(s)").contains("clean");
        out.reset();
        assertThat(run("stats", seg.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("live keys    20");
        out.reset();
        assertThat(run("dump", seg.toString(), "notes")).isEqualTo(StoreTool.OK);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out().split("\\R")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).hasSize(100);
        assertThat(lines.get(99).get("segment").asLong()).isGreaterThan(2);
        // damage in a segment before the last: corruption, named with its file; salvage copies the rest
        Path sealed = dev.persist.store.LogFiles.segments(seg).get(1);
        byte[] bytes = Files.readAllBytes(sealed);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(sealed, bytes);
        out.reset();
        assertThat(run("verify", seg.toString())).isEqualTo(StoreTool.CORRUPT);
        assertThat(out()).contains(sealed.toString()).contains("CORRUPT");
        Path fixed = dir.resolve("fixed.log");
        assertThat(run("salvage", seg.toString(), fixed.toString())).isEqualTo(StoreTool.OK);
        try (Store store = Store.open(fixed)) {
            assertThat(store.map("notes", Codecs.utf8(), Codecs.utf8()).size()).isEqualTo(20);
        }
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(sealed, bytes);
        out.reset();
        assertThat(run("shrink", seg.toString())).isEqualTo(StoreTool.OK);
        assertThat(out()).contains("100 record(s)").contains("-> 20 record(s)");
        assertThat(dev.persist.store.LogFiles.segments(seg)).as("every segment retired, 0 emptied")
                .doesNotContain(seg);
        assertThat(dev.persist.store.LogFiles.verify(seg).records()).isEqualTo(20);
    }

    @Test
    void badUsageExitsSixtyFour() {
        assertThat(run()).isEqualTo(StoreTool.USAGE);
        assertThat(run("frobnicate", "x")).isEqualTo(StoreTool.USAGE);
        assertThat(run("salvage", log.toString())).isEqualTo(StoreTool.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
    }
}
