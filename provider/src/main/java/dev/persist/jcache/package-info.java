/**
 * The JSR-107 (JCache 1.1.1) provider: caches that survive restarts, on Caffeine and the write-ahead-log store of
 * {@link dev.persist.store}.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * CacheManager manager = Caching.getCachingProvider().getCacheManager();   // embedded default store
 * Cache<String, User> users = manager.createCache("users",
 *         new MutableConfiguration<String, User>().setTypes(String.class, User.class));
 * users.put("ann", ann);                       // in the log (tier WRITE) before put returns
 * }</pre>
 * A manager URI may name a YAML or JSON configuration file ({@code classpath:}, {@code file:},
 * {@code jar:file:...!/...} or a plain path); see {@link dev.persist.jcache.config.ConfigResolver} for every form,
 * the default directory and the override order, and {@code ConfigParser} for the schema.
 *
 * <h2>Design choices</h2>
 * <ul>
 *   <li><b>Default store.</b> The default URI ({@code persist-jcache:default}, also for a null URI) is a store
 *       {@code default.log} in the directory named by the system property {@code persist.jcache.dir}, else
 *       {@code ${user.dir}/persist-jcache-data/}; every operation at tier WRITE unless
 *       {@code persist.jcache.durability} or the configuration says otherwise. Other URIs that name no file get a
 *       store of their own in that directory.</li>
 *   <li><b>One store per file.</b> Managers are identified by (URI, ClassLoader); managers resolving to one log
 *       file share one reference-counted {@link dev.persist.store.Store}, closed with the last of them. If two of
 *       them open a cache of the same name at once, the second one's is memory-only (one namespace has one
 *       in-memory copy); this is logged. A manager that closes while others use the store unregisters its caches'
 *       namespaces (their entries become orphan records, for a cache of that name to adopt later); the last one
 *       closes the store with them registered, since the log has every entry and nothing can adopt them any more
 *       (no encode per entry). That decision is taken under the lock managers take to acquire a store, so a
 *       manager opening at the same moment shares the store before it, or opens the file again after it.</li>
 *   <li><b>Namespaces.</b> A cache's store namespace is its name with {@code '%'}, {@code '~'}, {@code ':'} and
 *       control characters written as {@code %XX} (UTF-8 hex); the empty name is {@code ~}; names longer than 255
 *       bytes are cut and suffixed with {@code ~} and their SHA-256 ({@link dev.persist.jcache.CacheNamespaces}).
 *       The mapping is one-to-one.</li>
 *   <li><b>Envelope.</b> A logged value is 8 bytes of expiry time (epoch millis, big-endian, {@code Long.MAX_VALUE}
 *       for never) followed by the value codec's bytes, so an entry expired before a restart stays expired after
 *       it. Access expiry is applied in memory only (a read must not cost a write): after a restart an entry can
 *       only expire earlier than it would have, never later.</li>
 *   <li><b>Expiry.</b> An entry past its time is invisible at once. In caches with an expiry policy Caffeine drops
 *       it soon after (variable expiry on the envelope's time, with its scheduler), which deletes it from the log
 *       and fires EXPIRED events; in eternal caches (no Caffeine expiry, so reads stay as fast as a concurrent
 *       map) an entry with an expiry time from an earlier configuration is dropped when an operation meets it.</li>
 *   <li><b>Bounds.</b> {@code maximumSize} (entries) or {@code maximumWeight} (bytes of stored values) bound
 *       Caffeine; an entry evicted by size leaves the log too (at the cache's remove tier).</li>
 *   <li><b>Exit.</b> A shutdown hook closes stores still open when the JVM exits, so write-behind (ASYNC) changes
 *       of managers nobody closed are written; a killed process loses at most the ASYNC changes of the last sync
 *       interval, never an acknowledged WRITE or FSYNC operation.</li>
 *   <li><b>Codecs.</b> {@code String} keys are written as UTF-8, other keys by Java serialization. Values: by type
 *       (UTF-8 for String, else Java serialization), or as configured ({@code json}, {@code serializable}, or a
 *       {@link dev.persist.store.Codec} class). Java serialization writes and reads only the classes of the cache's
 *       {@link dev.persist.jcache.codec.SerialAllowlist} (JDK value types, Spring's and Hibernate's cache entries,
 *       {@code serialization.allow}, the cache's declared types). A value the codec cannot write throws
 *       {@code IllegalArgumentException} (or {@code ClassCastException} for a wrong type) and nothing is written; a
 *       logged value that no longer decodes (or holds a class not allowed) is dropped when first decoded after a
 *       restart (below), counted in the store's {@code undecodableRecords} and logged.</li>
 *   <li><b>Restart.</b> A cache adopts the entries the log holds for it with their values as bytes, not decoded
 *       ({@link dev.persist.jcache.Stored#isSettled()} false), so it is ready once the log is replayed. A background
 *       pass started at creation settles them: decodes each once, holds immutable values as objects from then on,
 *       and drops values that no longer decode (one log line per cache). An operation that meets an unsettled entry
 *       first settles it itself, so no operation ever sees an undecodable value: it is absent, as if dropped at
 *       load. A concurrent put wins over the pass (conditional swap). {@code PersistCache.awaitSettled} waits for
 *       the pass; closing the cache stops it. Until the pass or a read reaches it, an entry that will turn out
 *       undecodable is still counted by the store's views ({@code PersistMap.size()}, {@code liveKeys}) and takes
 *       room in a size-bounded cache. A dropped value's record stays in the log until compaction, as it did when
 *       values were dropped at load.</li>
 *   <li><b>Store-by-value</b> (the JCache default) caches hold values encoded, so every read is a copy (immutable
 *       values such as strings and boxed numbers are held as they are: sharing them is as good as a copy), and
 *       persist. <b>Store-by-reference</b> caches hold the application's objects, which need not be serializable:
 *       they are memory-only (never logged, empty after a restart).</li>
 *   <li><b>Atomicity.</b> Each operation on a key is one atomic section of the store (which also covers the cache
 *       writer call: writer, memory and log change together or not at all); {@code invoke} is one store update.
 *       A cache writer or loader that itself writes other keys of caches of the same store from inside such a
 *       call can deadlock against another thread doing the same in the opposite order (the store's key locks
 *       are striped).</li>
 *   <li><b>Events</b> are collected in the atomic section and delivered right after it: synchronous listeners
 *       before the operation returns, asynchronous ones on one thread per cache. Events of one operation arrive in
 *       order; events of two threads' operations on the same key may reach a listener in either order.</li>
 *   <li><b>Bulk operations</b> (putAll, removeAll, clear, loadAll) write each key at ASYNC and make the batch
 *       WRITE- or FSYNC-durable once before returning: one fsync for the batch.</li>
 *   <li><b>Tiers per operation kind</b>: {@code put} (put, putAll, putIfAbsent, replace, getAndPut,
 *       getAndReplace), {@code remove} (remove, removeAll, clear, getAndRemove, expirations and evictions),
 *       {@code invoke}, {@code load} (read-through, loadAll). {@code destroyCache} deletes at WRITE whatever the
 *       tiers, so a destroyed cache never comes back.</li>
 *   <li><b>Native API</b> through {@code unwrap}: {@code cache.unwrap(PersistCache.class)} for per-call tiers
 *       ({@code put(k, v, Durability.FSYNC)}, {@code remove(k, tier)}) and the cache's tiers;
 *       {@code cache.unwrap(PersistMap.class)} (the namespace, values as {@link dev.persist.jcache.Stored}
 *       envelopes), {@code cache.unwrap(Store.class)}, {@code manager.unwrap(Store.class)} (stats, shrink,
 *       fsyncAll); and a {@link dev.persist.jcache.management.StoreMXBean} per open store.</li>
 * </ul>
 */
package dev.persist.jcache;
