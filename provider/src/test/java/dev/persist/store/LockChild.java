package dev.persist.store;

import java.nio.file.Path;

/**
 * The other process of {@link ProcessLockTest}. Arguments: log path, then {@code HOLD} (open, write one entry at
 * FSYNC, print {@code READY}, sleep until killed) or {@code TRY} (try to open: print {@code LOCKED <message>} and
 * exit 3 on a {@link StoreLockedException}, or print {@code OPENED} and exit 0).
 */
public final class LockChild {
    private LockChild() {
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[0]);
        if (args[1].equals("HOLD")) {
            Store store = Store.open(log);
            store.map("held", Codecs.utf8(), Codecs.json(Long.class)).set("pid", ProcessHandle.current().pid(),
                    Durability.FSYNC);
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE); // never closes: the OS must drop the lock when the process is killed
        } else {
            try (Store store = Store.open(log)) {
                System.out.println("OPENED");
            } catch (StoreLockedException e) {
                System.out.println("LOCKED " + e.getMessage());
                System.out.flush();
                System.exit(3);
            }
        }
    }
}
