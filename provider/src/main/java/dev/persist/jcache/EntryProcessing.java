package dev.persist.jcache;

import dev.persist.jcache.integration.Loader;
import dev.persist.jcache.processor.ProcessorEntry;

import javax.cache.processor.EntryProcessor;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns an {@link EntryProcessor} into the {@link Mutations.Rule} of {@code invoke}: the processor runs on a
 * {@link ProcessorEntry} inside the key's atomic section, and its net effect becomes one step (keep, read, put,
 * load or remove) with the matching writer call.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class EntryProcessing<K, V> {
    private final Form<V> values;
    private final Loader<K, V> loader;
    private final Function<K, V> load;
    private final Consumer<V> checkValueType;
    private final UnencodableValues<V> unencodable;

    /**
     * @param load           calls the loader for read-through inside the processor, checking the value's type
     * @param checkValueType refuses a value of the wrong type (ClassCastException)
     * @param unencodable    the held form of a value set, or the cache's {@code onUnencodable} outcome
     */
    EntryProcessing(Form<V> values, Loader<K, V> loader, Function<K, V> load, Consumer<V> checkValueType,
                    UnencodableValues<V> unencodable) {
        this.unencodable = unencodable;
        this.values = values;
        this.loader = loader;
        this.load = load;
        this.checkValueType = checkValueType;
    }

    /**
     * @param result gets the processor's result at index 0
     * @return the rule that runs {@code processor} on {@code key}'s live entry
     */
    <T> Mutations.Rule<V> rule(K key, EntryProcessor<K, V, T> processor, Object[] arguments, Object[] result) {
        return live -> {
            V current = live == null ? null : values.out(live.payload);
            ProcessorEntry<K, V> entry = new ProcessorEntry<>(key, current,
                    loader.readsThrough() ? loader.loader() : null, load);
            try {
                result[0] = processor.process(entry, arguments);
            } catch (EntryProcessorException e) {
                throw e;
            } catch (Exception e) {
                throw new EntryProcessorException(e);
            }
            return stepOf(entry);
        };
    }

    /** The one change an entry processor's net effect makes. */
    private Step<V> stepOf(ProcessorEntry<K, V> entry) {
        return switch (entry.op()) {
            case NONE -> new Step.Keep<>(false, true);
            case ACCESS -> new Step.Keep<>(true, true);
            case REMOVE -> new Step.Remove<>(true, true);
            case CREATE, UPDATE, LOAD -> {
                V v = entry.value();
                checkValueType.accept(v);
                // held form before the writer: a value we cannot hold is not written (onUnencodable: fail) or leaves
                // the key without an entry (skip); a loaded one is not written
                yield new Step.Put<>(v, unencodable.in(v), entry.op() != ProcessorEntry.Op.LOAD);
            }
        };
    }

    /**
     * invokeAll: {@code invoke} for each key; a key's failure is its result (thrown by {@code get()}), not the call's.
     *
     * @return the non-null results and the failures, by key
     */
    static <K, T> Map<K, EntryProcessorResult<T>> forEach(Set<? extends K> keySet, Function<K, T> invoke) {
        Map<K, EntryProcessorResult<T>> results = new HashMap<>();
        for (K k : keySet) {
            try {
                T r = invoke.apply(k);
                if (r != null) {
                    results.put(k, () -> r);
                }
            } catch (Exception e) {
                EntryProcessorException epe = e instanceof EntryProcessorException x ? x
                        : new EntryProcessorException(e);
                results.put(k, () -> {
                    throw epe;
                });
            }
        }
        return results;
    }
}
