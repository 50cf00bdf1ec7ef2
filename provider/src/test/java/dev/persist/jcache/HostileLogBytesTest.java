package dev.persist.jcache;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.persist.store.Codecs;
import dev.persist.store.Durability;
import dev.persist.store.PersistMap;
import dev.persist.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Log records forged by whoever can write the log file, read through JCache: each is dropped and counted as
 * undecodable, promptly, and the application carries on (no {@code OutOfMemoryError} thrown to the caller, no
 * thread spinning forever, no cache manager that never opens).
 */
class HostileLogBytesTest {
    @TempDir
    Path dir;

    /** Writes records into the namespace of cache {@code cache} as raw bytes, with a valid CRC. */
    private void forge(String cache, Map<byte[], byte[]> records) throws Exception {
        try (Store store = Store.open(dir.resolve("cache.log"))) {
            PersistMap<byte[], byte[]> raw = store.map(CacheNamespaces.namespaceOf(cache), Codecs.raw(),
                    Codecs.raw());
            records.forEach((k, v) -> raw.set(k, v, Durability.FSYNC));
            raw.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void valuesClaimingMoreThanTheHeapAreDroppedInASmallHeapAndTheJvmCarriesOn() throws Exception {
        forge("c", Map.of(
                utf8("long-array"), HostileBytes.envelope(HostileBytes.longArray(HostileBytes.JUST_UNDER_MAXARRAY)),
                utf8("array-list"), HostileBytes.envelope(HostileBytes.arrayListOfSize(
                        HostileBytes.JUST_UNDER_MAXARRAY)),
                utf8("hash-map"), HostileBytes.envelope(HostileBytes.hashMapOfSize(40_000_000)),
                utf8("fine"), HostileBytes.envelope(HostileBytes.serialize(new ArrayList<>(List.of("still here"))))));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // each forged value would allocate 268 to 800 MB
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", classPath(), HostileChild.class.getName(), dir.resolve("cache.log").toString(),
                "long-array", "array-list", "hash-map", "fine"));
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process child = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("the child ended").isTrue();
            String stdout = Files.readString(out);
            String stderr = Files.readString(err);
            assertThat(child.exitValue()).as("exit value; stdout:%n%s%nstderr:%n%s", stdout, stderr).isZero();
            assertThat(stderr).doesNotContain("OutOfMemoryError");
            List<String> lines = stdout.lines().toList();
            for (String k : List.of("long-array", "array-list", "hash-map")) {
                assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("get " + k + " null "));
            }
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("get fine java.util.ArrayList "));
            for (String l : lines) {
                if (l.startsWith("get ")) {
                    String[] f = l.split(" ");
                    assertThat(Long.parseLong(f[3])).as("promptly: %s", l).isLessThan(5000);
                }
            }
            assertThat(lines).contains("settled true", "undecodable 3", "closed");
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aValueOfNestedSetsSharingTheirElementsIsDroppedPromptly() throws Exception {
        forge("c", Map.of(utf8("sets"), HostileBytes.envelope(HostileBytes.nestedSets(40, 2)),
                utf8("fine"), HostileBytes.envelope(HostileBytes.serialize(Set.of("still here")))));
        try (CacheManager m = new Managers(dir, "write").open()) {
            Cache<String, Object> c = m.createCache("c",
                    new MutableConfiguration<String, Object>().setTypes(String.class, Object.class));
            assertThat(c.get("sets")).isNull();
            assertThat(c.get("fine")).isEqualTo(Set.of("still here"));
            assertThat(c.unwrap(PersistCache.class).awaitSettled(20, TimeUnit.SECONDS)).isTrue();
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anUntypedKeyOfNestedSetsDoesNotHoldUpCreateCache() throws Exception {
        forge("u", Map.of(HostileBytes.nestedSets(40, 2), HostileBytes.envelope(HostileBytes.serialize("v")),
                HostileBytes.serialize("fine"), HostileBytes.envelope(HostileBytes.serialize("still here"))));
        try (CacheManager m = new Managers(dir, "write").open()) {
            Cache<Object, Object> c = m.createCache("u", new MutableConfiguration<>());
            assertThat(c.get("fine")).isEqualTo("still here");
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anUntypedKeyOfNestedSetsDoesNotHoldUpACacheManagerDeclaringTheCache() throws Exception {
        forge("u", Map.of(HostileBytes.nestedSets(40, 2), HostileBytes.envelope(HostileBytes.serialize("v")),
                HostileBytes.serialize("fine"), HostileBytes.envelope(HostileBytes.serialize("still here"))));
        Managers managers = new Managers(dir, "hostile.yaml", """
                caches:
                  u:
                    durability: write
                """);
        try (CacheManager m = managers.open()) {
            assertThat(m.getCache("u").get("fine")).isEqualTo("still here");
            assertThat(m.unwrap(Store.class).stats().undecodableRecords()).isEqualTo(1);
        }
    }

    /** The code sources of what the child needs, as ChildJvm does: java.class.path may be Surefire's booter jar. */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {HostileChild.class, PersistCachingProvider.class, Caching.class,
                Caffeine.class, ObjectMapper.class, JsonFactory.class, JsonProperty.class, YAMLFactory.class,
                org.yaml.snakeyaml.Yaml.class}) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("no code source for " + c, e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
