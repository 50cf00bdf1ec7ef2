package dev.persist.store;

/**
 * How far a mutating call has gone towards stable storage before it returns.
 *
 * <p>The four tiers of go-persist ({@code SetInMemory}, {@code SetAsync}, {@code Set}, {@code SetFSync}):
 * <ul>
 *   <li>{@link #MEMORY}: the change is made in memory only. It reaches the log if the key is later written
 *       at another tier, or when {@link Store#shrink()} writes the live state.</li>
 *   <li>{@link #ASYNC}: memory now; the key is marked dirty and the background syncer writes its latest
 *       value (one record however many times the key changed) and fsyncs, every sync interval and at close.
 *       A crash loses at most the changes since the last completed sync.</li>
 *   <li>{@link #WRITE}: the record has been handed to the operating system ({@code write(2)}) before the call
 *       returns: it survives a crash of the process, not of the machine (until the next background fsync).</li>
 *   <li>{@link #FSYNC}: the record is on stable storage ({@code fsync}) before the call returns.</li>
 * </ul>
 * WRITE and FSYNC callers that run concurrently share write calls and fsyncs (group commit).
 */
public enum Durability {
    /** Memory only; persisted only by a later write of the key or by shrinking. */
    MEMORY,
    /** Write-behind: persisted by the background syncer within one sync interval. */
    ASYNC,
    /** Written to the operating system before the call returns; survives a process crash. */
    WRITE,
    /** Fsynced before the call returns; survives a machine crash. */
    FSYNC
}
