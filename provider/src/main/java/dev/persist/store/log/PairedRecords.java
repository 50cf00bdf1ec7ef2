package dev.persist.store.log;

/**
 * Passes a scan's records on, each pair's first record ({@link RecordFormat#PAIRED}) only together with the record
 * after it: the one rule of pairs, for the open ({@link LogReplay}) and the operator tools alike. Where a scan stops
 * (the segment's end, or damage), the caller asks {@link #dropHeld} whether a first record was left without its
 * second: it is dropped, never passed on.
 */
public final class PairedRecords implements LogScanner.Visitor {
    private final LogScanner.Visitor target;
    /** The first record of a pair read last (a copy: the scan reuses its arrays), or null. */
    private byte[] held;
    private long heldOffset;
    private final RecordFormat.Record heldView = new RecordFormat.Record();

    /** @param target gets the records: the first of a pair right before its second */
    public PairedRecords(LogScanner.Visitor target) {
        this.target = target;
    }

    @Override
    public void record(long offset, RecordFormat.Record r) {
        if (held != null) {
            // the next record of the same scan: the pair is whole
            RecordFormat.parseBody(held, 0, held.length, heldView);
            held = null;
            target.record(heldOffset, heldView);
        }
        if (r.isPaired()) {
            held = r.bytes();
            heldOffset = offset;
            return;
        }
        target.record(offset, r);
    }

    /**
     * Called where a scan stopped: drops a first record still waiting for its second.
     *
     * @return its offset, or -1 if none was waiting
     */
    public long dropHeld() {
        if (held == null) {
            return -1;
        }
        held = null;
        return heldOffset;
    }
}
