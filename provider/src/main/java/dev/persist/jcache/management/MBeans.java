package dev.persist.jcache.management;

import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;

/**
 * Registers cache MBeans with the platform MBean server under the names JSR-107 prescribes:
 * {@code javax.cache:type=CacheConfiguration|CacheStatistics,CacheManager=<uri>,Cache=<name>}, where {@code :},
 * {@code =}, {@code ,} and newlines in the URI and name are replaced by {@code .} so that any name is a valid
 * ObjectName.
 */
public final class MBeans {
    /** The two kinds of cache MBean. */
    public enum Kind {
        /** The {@link javax.cache.management.CacheMXBean}. */
        CONFIGURATION("CacheConfiguration"),
        /** The {@link javax.cache.management.CacheStatisticsMXBean}. */
        STATISTICS("CacheStatistics");

        private final String type;

        Kind(String type) {
            this.type = type;
        }
    }

    private MBeans() {
    }

    /** @return the ObjectName of a cache's MBean of {@code kind} */
    public static ObjectName name(Kind kind, URI managerUri, String cacheName) {
        String s = "javax.cache:type=" + kind.type + ",CacheManager=" + sanitize(managerUri.toString())
                + ",Cache=" + sanitize(cacheName);
        try {
            return new ObjectName(s);
        } catch (MalformedObjectNameException e) {
            throw new CacheException("invalid MBean name " + s, e);
        }
    }

    /**
     * @return the ObjectName of a cache's write-behind MBean:
     *         {@code dev.persist.jcache:type=WriteBehind,CacheManager=<uri>,Cache=<name>}
     */
    public static ObjectName writeBehindName(URI managerUri, String cacheName) {
        String s = "dev.persist.jcache:type=WriteBehind,CacheManager=" + sanitize(managerUri.toString())
                + ",Cache=" + sanitize(cacheName);
        try {
            return new ObjectName(s);
        } catch (MalformedObjectNameException e) {
            throw new CacheException("invalid MBean name " + s, e);
        }
    }

    private static String sanitize(String s) {
        return s == null ? "" : s.replaceAll("[,:=\n]", ".");
    }

    /** Registers {@code bean} unless a bean of that name is registered. */
    public static void register(Object bean, ObjectName name) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (!server.isRegistered(name)) {
                server.registerMBean(bean, name);
            }
        } catch (InstanceAlreadyExistsException e) {
            // another thread registered the same cache's bean: nothing to do
        } catch (JMException e) {
            throw new CacheException("cannot register MBean " + name, e);
        }
    }

    /** Unregisters the bean of that name, if any. */
    public static void unregister(ObjectName name) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (InstanceNotFoundException e) {
            // already gone
        } catch (JMException e) {
            throw new CacheException("cannot unregister MBean " + name, e);
        }
    }
}
