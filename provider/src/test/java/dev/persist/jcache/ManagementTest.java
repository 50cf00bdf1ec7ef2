package dev.persist.jcache;

import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.configuration.MutableConfiguration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ManagementTest {
    @TempDir
    Path dir;

    @Test
    void mbeanNamesAreSanitizedAndNoneRemainAfterClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Managers managers = new Managers(dir, "write");
        ObjectName config;
        ObjectName stats;
        ObjectName storeBean;
        try (CacheManager m = managers.open()) {
            Cache<String, String> c = m.createCache("a:b,c=d\ne", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class).setManagementEnabled(true).setStatisticsEnabled(true));
            String uri = m.getURI().toString().replaceAll("[,:=\n]", ".");
            config = new ObjectName("javax.cache:type=CacheConfiguration,CacheManager=" + uri + ",Cache=a.b.c.d.e");
            stats = new ObjectName("javax.cache:type=CacheStatistics,CacheManager=" + uri + ",Cache=a.b.c.d.e");
            storeBean = new ObjectName("dev.persist.jcache:type=Store,path="
                    + ObjectName.quote(m.unwrap(Store.class).path().toString()));
            assertThat(server.isRegistered(config)).isTrue();
            assertThat(server.isRegistered(stats)).isTrue();
            c.put("k", "v");
            c.get("k");
            assertThat(server.getAttribute(stats, "CacheHits")).isEqualTo(1L);
            assertThat(server.getAttribute(config, "KeyType")).isEqualTo("java.lang.String");
            assertThat((Long) server.getAttribute(storeBean, "LiveKeys")).isEqualTo(1L);
            server.invoke(storeBean, "shrink", null, null);
            assertThat((Long) server.getAttribute(storeBean, "Shrinks")).isEqualTo(1L);
        }
        assertThat(server.isRegistered(config)).isFalse();
        assertThat(server.isRegistered(stats)).isFalse();
        assertThat(server.isRegistered(storeBean)).isFalse();
    }

    @Test
    void theStoreBeanTakesABackupThatOpensWithTheCache() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Path copy = dir.resolve("backup");
        try (CacheManager m = new Managers(dir, "write").open()) {
            Cache<String, String> c = m.createCache("items", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            for (int i = 0; i < 100; i++) {
                c.put("k" + i, "v" + i);
            }
            ObjectName storeBean = new ObjectName("dev.persist.jcache:type=Store,path="
                    + ObjectName.quote(m.unwrap(Store.class).path().toString()));
            Object result = server.invoke(storeBean, "backup", new Object[] {copy.toString()},
                    new String[] {String.class.getName()});
            assertThat((String) result).startsWith("1 files, ").endsWith(" bytes, in " + copy.toAbsolutePath());
        }
        Properties p = new Properties();
        p.setProperty("store.path", copy.resolve("cache.log").toString());
        try (CacheManager restored = new PersistCachingProvider().getCacheManager(URI.create("restored"),
                getClass().getClassLoader(), p)) {
            Cache<String, String> c = restored.createCache("items", new MutableConfiguration<String, String>()
                    .setTypes(String.class, String.class));
            for (int i = 0; i < 100; i++) {
                assertThat(c.get("k" + i)).isEqualTo("v" + i);
            }
        }
    }
}
