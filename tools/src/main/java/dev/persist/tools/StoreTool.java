package dev.persist.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.persist.store.CorruptLogException;
import dev.persist.store.LogFiles;
import dev.persist.store.Store;
import dev.persist.store.StoreException;
import dev.persist.store.StoreLockedException;
import dev.persist.store.StoreStats;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The operator's command-line tool for store logs.
 *
 * <pre>
 * java -jar persist-jcache-tool.jar stats   LOG
 * java -jar persist-jcache-tool.jar verify  LOG
 * java -jar persist-jcache-tool.jar dump    LOG [NAMESPACE]
 * java -jar persist-jcache-tool.jar shrink  LOG
 * java -jar persist-jcache-tool.jar backup  LOG DIRECTORY
 * java -jar persist-jcache-tool.jar salvage LOG NEW_LOG
 * </pre>
 *
 * {@code LOG} is the log's configured path; its segment files ({@code LOG.000001}, ...) are read with it, in order.
 * {@code stats}, {@code verify} and {@code dump} only read (no lock, no change), so they work on the log of a running
 * application: the zeros a running store writes ahead of its records (mapped appends) are reported as such, not as
 * damage. {@code shrink} and {@code backup} open the store, so they refuse while an application holds it (a
 * running application takes a backup through its store MBean). {@code salvage} writes a new file and never touches
 * the damaged one.
 */
public final class StoreTool {
    /** Exit codes, so scripts can act on {@code verify}. */
    static final int OK = 0;
    static final int TORN_TAIL = 1;
    static final int CORRUPT = 2;
    static final int UNREADABLE = 3;
    static final int USAGE = 64;

    private static final String USAGE_TEXT = String.join(System.lineSeparator(),
            "usage: persist-jcache-tool COMMAND LOG [ARGS]",
            "  stats   LOG              records, bytes, live keys per namespace (read-only)",
            "  verify  LOG              check every record's length and CRC32C; exit 0 clean (zeros past the last",
            "                           record are not damage), 1 torn tail only, 2 corruption followed by valid",
            "                           records, 3 not a readable log",
            "  dump    LOG [NAMESPACE]  every valid record as a JSON line, in log order (read-only)",
            "  shrink  LOG              shrink the log (takes the store's lock: stop the application first)",
            "  backup  LOG DIRECTORY    copy the log and its index file into a new or empty directory, fsynced",
            "                           (takes the store's lock; a running application: its store MBean's backup)",
            "  salvage LOG NEW_LOG      copy every valid record, skipping damage, into a new log");

    private final PrintStream out;
    private final PrintStream err;
    private final ObjectMapper json = new ObjectMapper();

    StoreTool(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the tool and exits with its status.
     *
     * @param args command and its arguments
     */
    public static void main(String[] args) {
        System.exit(new StoreTool(System.out, System.err).run(args));
    }

    int run(String... args) {
        if (args.length < 2) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        Path log = Path.of(args[1]);
        try {
            switch (args[0]) {
                case "stats":
                    return expect(args, 2) ? stats(log) : USAGE;
                case "verify":
                    return expect(args, 2) ? verify(log) : USAGE;
                case "dump":
                    if (args.length > 3) {
                        return usage("dump takes LOG and an optional NAMESPACE");
                    }
                    return dump(log, args.length == 3 ? args[2] : null);
                case "shrink":
                    return expect(args, 2) ? shrink(log) : USAGE;
                case "backup":
                    return expect(args, 3) ? backup(log, Path.of(args[2])) : USAGE;
                case "salvage":
                    return expect(args, 3) ? salvage(log, Path.of(args[2])) : USAGE;
                default:
                    return usage("unknown command '" + args[0] + "'");
            }
        } catch (CorruptLogException e) {
            err.println("error: " + e.getMessage());
            return UNREADABLE;
        } catch (StoreException e) {
            err.println("error: " + e.getMessage());
            return UNREADABLE;
        } catch (IOException e) {
            err.println("error: cannot read " + log + ": " + e);
            return UNREADABLE;
        }
    }

    private boolean expect(String[] args, int count) {
        if (args.length != count) {
            usage(args[0] + " takes " + (count - 1) + " argument(s)");
            return false;
        }
        return true;
    }

    private int usage(String problem) {
        err.println("error: " + problem);
        err.println(USAGE_TEXT);
        return USAGE;
    }

    private int stats(Path log) throws IOException {
        LogFiles.Verification v = LogFiles.verify(log);
        out.printf("file         %s%n", v.file());
        out.printf("bytes        %d%n", v.fileBytes());
        out.printf("records      %d%n", v.records());
        out.printf("live keys    %d%n", v.liveKeys());
        out.printf("damage       %s%n", v.clean() ? "none" : v.damaged().size() + " region(s), run verify");
        out.printf("%-40s %10s %10s%n", "namespace", "records", "live");
        v.namespaces().forEach((ns, s) -> out.printf("%-40s %10d %10d%n", ns, s.records(), s.liveKeys()));
        return OK;
    }

    private int verify(Path log) throws IOException {
        LogFiles.Verification v = LogFiles.verify(log);
        java.util.List<Path> segments = LogFiles.segments(log);
        boolean segmented = segments.size() > 1 || !segments.get(0).equals(log);
        for (LogFiles.Damage d : v.damages()) {
            String where = segmented ? d.file() + " offset " : "offset ";
            if (d.zeros()) {
                out.printf("%s%d: %d byte(s) of zeros past the last record, not damage: written ahead of appends by a "
                        + "running store (or one that crashed), or a file end a power cut left unwritten; open cuts "
                        + "them%n", where, d.offset(), d.length());
                continue;
            }
            out.printf("%s%d: %s; %d byte(s) %s%n", where, d.offset(), d.reason(), d.length(),
                    d.tail() ? "to the end of the file (torn tail: open truncates it)"
                            : "until valid records resume at offset " + (d.offset() + d.length())
                            + " (or the file ends: a segment before the last is fsynced whole, so that is corruption)");
        }
        out.printf("%s: %d valid record(s), %d byte(s), %s%n", log, v.records(), v.fileBytes(),
                v.clean() ? "clean" : v.corrupt() ? "CORRUPT (open refuses it; use salvage)" : "torn tail");
        return v.clean() ? OK : v.corrupt() ? CORRUPT : TORN_TAIL;
    }

    private int dump(Path log, String namespace) throws IOException {
        java.util.List<LogFiles.Damage> damages = LogFiles.read(log, r -> {
            if (namespace == null || namespace.equals(r.namespace())) {
                out.println(toJson(r));
            }
        });
        for (LogFiles.Damage d : damages) {
            if (d.zeros()) {
                continue; // not damage: nothing of a record is in them
            }
            err.printf("skipped %d damaged byte(s) at offset %d of %s: %s%n", d.length(), d.offset(), d.file(),
                    d.reason());
        }
        return OK;
    }

    private String toJson(LogFiles.LogRecord r) {
        ObjectNode line = json.createObjectNode();
        line.put("segment", r.segment());
        line.put("offset", r.offset());
        line.put("op", r.delete() ? "delete" : "set");
        if (r.paired()) {
            line.put("pairedWithNext", true);
        }
        line.put("namespace", r.namespace());
        String key = utf8(r.key());
        if (key != null) {
            line.put("key", key);
        } else {
            line.put("keyBase64", Base64.getEncoder().encodeToString(r.key()));
        }
        if (!r.delete()) {
            String text = utf8(r.value());
            if (text == null) {
                line.put("valueBase64", Base64.getEncoder().encodeToString(r.value()));
            } else {
                try {
                    line.set("value", json.readTree(text));
                } catch (JsonProcessingException notJson) {
                    line.put("valueText", text);
                }
            }
        }
        return line.toString();
    }

    /** @return the bytes as text if they are valid UTF-8, else null */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private int shrink(Path log) {
        if (!Files.exists(log)) { // segment 0 is emptied, never deleted, so a log always has it
            err.println("error: " + log + " does not exist");
            return UNREADABLE;
        }
        try (Store store = Store.open(log)) {
            StoreStats before = store.stats();
            store.shrink();
            StoreStats after = store.stats();
            out.printf("%s: %d record(s), %d byte(s) -> %d record(s), %d byte(s)%n", log,
                    before.logRecords(), before.logBytes(), after.logRecords(), after.logBytes());
        }
        return OK;
    }

    private int backup(Path log, Path directory) {
        if (!Files.exists(log)) {
            err.println("error: " + log + " does not exist");
            return UNREADABLE;
        }
        try (Store store = Store.open(log)) {
            java.util.List<Path> copied = store.backup(directory);
            copied.forEach(file -> out.println("copied " + file));
            out.printf("%s: %d file(s) copied to %s%n", log, copied.size(), directory);
            return OK;
        } catch (StoreLockedException e) {
            err.println("error: " + e.getMessage() + "; an application holding the store takes a backup while it "
                    + "runs through its store MBean's backup operation (jconsole or any JMX client)");
            return UNREADABLE;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return USAGE;
        }
    }

    private int salvage(Path log, Path target) throws IOException {
        LogFiles.Verification v = LogFiles.salvage(log, target);
        long skipped = v.damaged().stream().mapToLong(LogFiles.Damage::length).sum();
        out.printf("copied %d valid record(s) of %s to %s; skipped %d damaged byte(s) in %d region(s)%n",
                v.records(), log, target, skipped, v.damaged().size());
        return OK;
    }
}
