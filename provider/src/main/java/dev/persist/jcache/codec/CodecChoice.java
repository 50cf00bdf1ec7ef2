package dev.persist.jcache.codec;

import dev.persist.store.Codec;
import dev.persist.store.Codecs;

import javax.cache.CacheException;
import java.lang.reflect.Constructor;

/**
 * Chooses the codecs of a cache from its types and its {@code codec} setting:
 * <ul>
 *   <li>keys: UTF-8 for {@code String} key types (written as they are), else Java serialization;</li>
 *   <li>values: {@code json} (Jackson, for the configured value type), {@code serializable} (Java serialization
 *       behind an ObjectInputFilter), a {@link Codec} class name (constructed with a {@code Class} argument, the value
 *       type, or without arguments), or by default UTF-8 for {@code String} values and serialization otherwise.</li>
 * </ul>
 * Java serialization reads and writes only the classes of the cache's {@link SerialAllowlist}.
 */
public final class CodecChoice {
    private CodecChoice() {
    }

    /**
     * @param keyType   the key class ({@code Object} if untyped)
     * @param loader    resolves classes
     * @param allowlist what Java serialization may read and write
     * @return the key codec for keys of {@code keyType}
     */
    @SuppressWarnings("unchecked")
    public static <K> Codec<K> keys(Class<?> keyType, ClassLoader loader, SerialAllowlist allowlist) {
        if (keyType == String.class) {
            return (Codec<K>) Codecs.utf8();
        }
        return new SerializationCodec<>(loader, allowlist);
    }

    /**
     * @param codec     the setting, or null
     * @param valueType the value class ({@code Object} if untyped)
     * @param loader    resolves classes
     * @param allowlist what Java serialization may read and write
     * @return the value codec
     */
    @SuppressWarnings("unchecked")
    public static <V> Codec<V> values(String codec, Class<?> valueType, ClassLoader loader,
                                      SerialAllowlist allowlist) {
        if (codec == null) {
            return valueType == String.class ? (Codec<V>) Codecs.utf8() : new SerializationCodec<>(loader, allowlist);
        }
        switch (codec) {
            case "json":
                return (Codec<V>) Codecs.json(valueType);
            case "serializable":
                return new SerializationCodec<>(loader, allowlist);
            default:
                return (Codec<V>) instantiate(codec, valueType, loader);
        }
    }

    private static Codec<?> instantiate(String className, Class<?> valueType, ClassLoader loader) {
        try {
            Class<?> c = Class.forName(className, true, loader);
            if (!Codec.class.isAssignableFrom(c)) {
                throw new CacheException("codec class " + className + " does not implement " + Codec.class.getName());
            }
            try {
                Constructor<?> withType = c.getConstructor(Class.class);
                return (Codec<?>) withType.newInstance(valueType);
            } catch (NoSuchMethodException e) {
                return (Codec<?>) c.getConstructor().newInstance();
            }
        } catch (ReflectiveOperationException e) {
            throw new CacheException("cannot create codec " + className + ": " + e, e);
        }
    }
}
