package dev.persist.jcache.config;

import javax.cache.CacheException;

/** A configuration file or setting is wrong: the message names the file, the key and what is allowed. */
public class ConfigException extends CacheException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source  the file (or "Properties", "system property ...")
     * @param key     the setting's path, e.g. {@code caches.users.durability.put}
     * @param problem what is wrong and what is allowed
     */
    public ConfigException(String source, String key, String problem) {
        super(source + ": " + (key.isEmpty() ? "" : key + ": ") + problem);
    }

    /**
     * @param message the whole message
     * @param cause   the underlying failure
     */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
