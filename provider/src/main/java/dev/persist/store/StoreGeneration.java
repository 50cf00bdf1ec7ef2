package dev.persist.store;

import dev.persist.store.log.ByteKey;
import dev.persist.store.log.DiskIndex;
import dev.persist.store.log.LogWriter;
import dev.persist.store.log.RecordFormat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The generation check of an open ({@link StoreOptions#generation}): clears every namespace of a log written for
 * another generation before any map sees a record, then records the configured one in {@link Store#META_NAMESPACE}.
 */
final class StoreGeneration {
    private static final System.Logger LOG = System.getLogger(Store.class.getName());
    private static final byte[] KEY = Store.GENERATION_KEY.getBytes(StandardCharsets.UTF_8);

    private final String configured;
    private final LogWriter writer;
    private long clears;
    private long clearedKeys;

    /** @param configured the generation the store is opened with, or null for no check */
    StoreGeneration(String configured, LogWriter writer) {
        this.configured = configured;
        this.writer = writer;
    }

    /** @return the generation recorded in the store's namespace, or null */
    static String recorded(Map<ByteKey, byte[]> meta) {
        byte[] value = meta == null ? null : meta.get(new ByteKey(KEY));
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** @return 1 if this open cleared the log's namespaces, else 0 */
    long clears() {
        return clears;
    }

    /** @return the keys this open cleared */
    long clearedKeys() {
        return clearedKeys;
    }

    /**
     * If a generation is configured and the log's differs (or the log has none but holds records), appends a delete
     * for every record of every namespace but {@link Store#META_NAMESPACE} and empties them in the replayed state, so
     * nothing of the old generation is ever served.
     *
     * @return the log position of the last delete, 0 if nothing was cleared
     */
    long clearIfChanged(Path file, Map<String, Map<ByteKey, byte[]>> replayed, Map<String, DiskIndex> indexed,
                        String recorded) {
        if (configured == null || configured.equals(recorded)) {
            return 0;
        }
        long lsn = 0;
        long keys = 0;
        int namespaces = 0;
        for (Map.Entry<String, Map<ByteKey, byte[]>> ns : replayed.entrySet()) {
            if (ns.getKey().equals(Store.META_NAMESPACE) || ns.getValue().isEmpty()) {
                continue;
            }
            byte[] name = ns.getKey().getBytes(StandardCharsets.UTF_8);
            for (ByteKey k : ns.getValue().keySet()) {
                lsn = writer.append(RecordFormat.encodeDelete(name, k.bytes));
                keys++;
            }
            namespaces++;
            ns.getValue().clear();
        }
        for (Map.Entry<String, DiskIndex> ns : indexed.entrySet()) {
            if (ns.getValue().size() == 0) {
                continue;
            }
            byte[] name = ns.getKey().getBytes(StandardCharsets.UTF_8);
            for (DiskIndex.Entry e : ns.getValue().entries()) {
                lsn = writer.append(RecordFormat.encodeDelete(name, e.key));
                keys++;
            }
            namespaces++;
            ns.getValue().clear();
        }
        if (keys > 0) {
            clears = 1;
            clearedKeys = keys;
            LOG.log(System.Logger.Level.WARNING, "store generation of {0} changed from {1} to ''{2}'': cleared {3} "
                    + "key(s) of {4} namespace(s) written for the old generation", file,
                    recorded == null ? "none" : "'" + recorded + "'", configured, keys, namespaces);
        }
        return lsn;
    }

    /**
     * Records the configured generation if it is not the recorded one, after the clear's deletes are fsynced: a
     * crash in between finds the old generation again and clears again, never old records under the new one.
     *
     * @param meta the store namespace's entries held now (none: empty)
     * @return the store namespace's entries with the generation, to replace {@code meta}; null if nothing changed
     */
    Map<ByteKey, byte[]> record(String recorded, long clearLsn, Map<ByteKey, byte[]> meta) {
        if (configured == null || configured.equals(recorded)) {
            return null;
        }
        if (clearLsn > 0) {
            writer.awaitSynced(clearLsn);
        }
        byte[] value = configured.getBytes(StandardCharsets.UTF_8);
        writer.awaitSynced(writer.append(RecordFormat.encodeSet(
                Store.META_NAMESPACE.getBytes(StandardCharsets.UTF_8), KEY, value)));
        Map<ByteKey, byte[]> updated = new HashMap<>(meta);
        updated.put(new ByteKey(KEY), value);
        return updated;
    }
}
