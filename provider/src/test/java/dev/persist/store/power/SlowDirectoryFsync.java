package dev.persist.store.power;

import dev.persist.store.StoreFileSystem;
import dev.persist.store.ForwardingFileSystem;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * A disk whose directory fsync after a rename is slow: it starts only once an operation of the test has returned
 * since the rename, or after 20 ms. The window between a shrink's rename and its directory fsync is then one where
 * FSYNC callers run, if the store lets them: any acknowledgement in it is a promise the disk cannot keep yet (a cut
 * before the directory fsync may keep the old name, the old file).
 */
final class SlowDirectoryFsync extends ForwardingFileSystem {
    private final History history;
    private volatile int renamedAt = -1;

    SlowDirectoryFsync(StoreFileSystem delegate, History history) {
        super(delegate);
        this.history = history;
    }

    @Override
    public void moveReplacing(Path source, Path target) throws IOException {
        delegate.moveReplacing(source, target);
        renamedAt = history.size();
    }

    @Override
    public void fsyncDirectory(Path dir) throws IOException {
        int since = renamedAt;
        if (since >= 0) {
            renamedAt = -1;
            long deadline = System.nanoTime() + 20_000_000L;
            while (System.nanoTime() < deadline && !returnedSince(since)) {
                LockSupport.parkNanos(200_000);
            }
        }
        delegate.fsyncDirectory(dir);
    }

    /** One copy of the history: its size, not the history's (which other threads grow), bounds the view. */
    private boolean returnedSince(int since) {
        java.util.List<History.Event> events = history.events();
        return events.subList(since, events.size()).stream().anyMatch(e -> e instanceof History.OpEnd);
    }
}
