package dev.persist.jcache;

import dev.persist.jcache.codec.SerialAllowlist;
import dev.persist.jcache.codec.SerializationCodec;
import dev.persist.jcache.gadget.Gadget;
import dev.persist.jcache.gadget.Handler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Java-serialization codec reads and writes only the classes of its allowlist. */
class SerializationFilterTest {
    record Payload(String s) implements Serializable {
    }

    private final ClassLoader loader = getClass().getClassLoader();

    @BeforeEach
    @AfterEach
    void reset() {
        System.clearProperty(SerializationCodec.FILTER_PROPERTY);
        Gadget.ran = false;
    }

    /** Bytes as anyone could write them into a log: a plain ObjectOutputStream, no allowlist. */
    private static byte[] plainSerialize(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private SerializationCodec<Object> codec(String cache, String... allow) {
        return new SerializationCodec<>(loader, SerialAllowlist.of(cache, List.of(allow)));
    }

    @Test
    void aGadgetOutsideTheAllowlistIsRejectedBeforeItsCodeRuns() {
        byte[] bytes = plainSerialize(new Gadget("calc"));
        assertThatThrownBy(() -> codec("c").decode(bytes))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class dev.persist.jcache.gadget.Gadget is not allowed by the serialization "
                        + "allowlist of cache 'c'")
                .hasMessageContaining("caches.c.serialization.allow")
                .hasMessageContaining("defaults.serialization.allow");
        assertThat(Gadget.ran).as("the gadget's readObject ran").isFalse();

        // the same bytes, once the package is allowed: the gadget's code runs, so the flag can tell
        assertThat(codec("c", "dev.persist.jcache.gadget.*").decode(bytes)).isInstanceOf(Gadget.class);
        assertThat(Gadget.ran).isTrue();
    }

    @Test
    void aGadgetInsideAnAllowedContainerIsRejected() {
        HashMap<String, Object> map = new HashMap<>();
        map.put("innocent", 1L);
        map.put("payload", new Gadget("calc"));
        List<Object> list = new ArrayList<>(List.of("a", List.of(new Object[] {new Gadget("calc")})));
        for (Object container : List.of(map, list, new Object[] {1L, new Gadget("calc")})) {
            byte[] bytes = plainSerialize(container);
            assertThatThrownBy(() -> codec("c").decode(bytes))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("class dev.persist.jcache.gadget.Gadget is not allowed");
            assertThatThrownBy(() -> codec("c").encode(container))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("class dev.persist.jcache.gadget.Gadget is not allowed");
        }
        assertThat(Gadget.ran).isFalse();
    }

    @Test
    void aUrlIsRejected() throws Exception {
        // URLDNS: a HashMap key whose hashCode makes a DNS lookup as the map is read
        HashMap<Object, String> map = new HashMap<>(Map.of(new URL("http://gadget.invalid/"), "x"));
        byte[] bytes = plainSerialize(map);
        assertThatThrownBy(() -> codec("c").decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class java.net.URL is not allowed");
        assertThatThrownBy(() -> codec("c").encode(map)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class java.net.URL is not allowed");
        assertThat(codec("c").decode(codec("c").encode(URI.create("http://fine.invalid/"))))
                .isEqualTo(URI.create("http://fine.invalid/"));
    }

    @Test
    void aDynamicProxyIsRejectedEvenWithAnAllowedHandler() {
        Object proxy = Proxy.newProxyInstance(loader, new Class<?>[] {Runnable.class}, new Handler());
        byte[] bytes = plainSerialize(proxy);
        SerializationCodec<Object> codec = codec("c", "dev.persist.jcache.gadget.Handler");
        assertThatThrownBy(() -> codec.decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dynamic proxy class " + proxy.getClass().getName() + " is not allowed");
        assertThatThrownBy(() -> codec.encode(proxy)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dynamic proxy class " + proxy.getClass().getName() + " is not allowed");
        // allowing proxy classes too is not enough: their superclass java.lang.reflect.Proxy is not allowed
        SerializationCodec<Object> proxies = codec("c", "dev.persist.jcache.gadget.Handler", "jdk.proxy*");
        assertThatThrownBy(() -> proxies.decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class java.lang.reflect.Proxy is not allowed");
        assertThatThrownBy(() -> proxies.encode(proxy)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class java.lang.reflect.Proxy is not allowed");
        // only the proxy was in the way
        Object read = codec("c", "dev.persist.jcache.gadget.Handler", "jdk.proxy*", "java.lang.reflect.Proxy")
                .decode(bytes);
        assertThat(Proxy.isProxyClass(read.getClass())).isTrue();
    }

    @Test
    void aSerializedLambdaIsRejected() {
        Runnable lambda = (Runnable & Serializable) () -> Gadget.ran = true;
        byte[] bytes = plainSerialize(lambda);
        assertThatThrownBy(() -> codec("c").decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class java.lang.invoke.SerializedLambda is not allowed");
        assertThatThrownBy(() -> codec("c").encode(lambda)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class java.lang.invoke.SerializedLambda is not allowed");
        assertThat(Gadget.ran).isFalse();
    }

    @Test
    void jdkValueTypesRoundTripUnderTheDefault() {
        Map<java.time.DayOfWeek, String> days = new EnumMap<>(java.time.DayOfWeek.class);
        days.put(java.time.DayOfWeek.MONDAY, "mo");
        TreeMap<String, Integer> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.put("B", 2);
        List<Object> values = List.of("text", 42L, 7, 'c', true, 2.5d, new BigDecimal("12.50"), BigInteger.TEN,
                UUID.randomUUID(), LocalDate.of(2024, 2, 29), Instant.ofEpochSecond(1_700_000_000L),
                ZonedDateTime.parse("2024-02-29T10:15:30+01:00[Europe/Paris]"), Duration.ofMinutes(3),
                new ArrayList<>(List.of(1, 2)), new LinkedList<>(List.of("a")), new HashMap<>(Map.of("a", 1)),
                List.of(1L, 2L), Map.of("k", List.of("v")), days, sorted, new ConcurrentHashMap<>(Map.of("c", 3)),
                new CopyOnWriteArrayList<>(List.of(4)), new int[] {1, 2}, new byte[] {1, 2}, new long[][] {{3}},
                new Object[] {1L, 2L}, new String[] {"x"}, new Serializable[] {1L, "x"}, URI.create("https://example.com/a"),
                new Timestamp(1_700_000_000_000L), new java.sql.Date(1_700_000_000_000L),
                java.util.Collections.unmodifiableList(new ArrayList<>(List.of("u"))));
        SerializationCodec<Object> codec = codec("c");
        for (Object v : values) {
            assertThat(codec.decode(codec.encode(v))).as(v.getClass().getName()).isEqualTo(v);
        }
        java.util.concurrent.atomic.AtomicLong counter = new java.util.concurrent.atomic.AtomicLong(5);
        assertThat(((java.util.concurrent.atomic.AtomicLong) codec.decode(codec.encode(counter))).get()).isEqualTo(5);
    }

    @Test
    void encodingAClassOutsideTheAllowlistFailsNamingTheClassAndTheSetting() {
        assertThatThrownBy(() -> codec("orders").encode(new Payload("x")))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("class dev.persist.jcache.SerializationFilterTest$Payload is not allowed by the "
                        + "serialization allowlist of cache 'orders'. Allow it for every cache under "
                        + "defaults.serialization.allow (the choice with Hibernate, whose query-results region holds "
                        + "whole entity states): in the YAML or JSON file: defaults: { serialization: { allow: "
                        + "[ \"dev.persist.jcache.SerializationFilterTest$Payload\" ] } }; as a Properties override: "
                        + "defaults.serialization.allow=dev.persist.jcache.SerializationFilterTest$Payload. Or for "
                        + "this cache only, under caches.orders.serialization.allow: in the file: caches: { orders: "
                        + "{ serialization: { allow: [ \"dev.persist.jcache.SerializationFilterTest$Payload\" ] } } }; "
                        + "as a Properties override: "
                        + "caches.orders.serialization.allow=dev.persist.jcache.SerializationFilterTest$Payload");
        assertThatThrownBy(() -> codec("orders").encode(new ArrayList<>(List.of(1, new Payload[] {new Payload("x")}))))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class dev.persist.jcache.SerializationFilterTest$Payload is not allowed");
    }

    @Test
    void configuredPatternsAllowApplicationClasses() {
        Gadget g = new Gadget("harmless here");
        for (String pattern : List.of("dev.persist.jcache.gadget.Gadget", "dev.persist.jcache.gadget.*",
                "dev.persist.jcache.**", "dev.persist.jcache.gadget.Gad*")) {
            SerializationCodec<Object> codec = codec("c", pattern);
            assertThat(((Gadget) codec.decode(codec.encode(g))).command).as(pattern).isEqualTo("harmless here");
        }
        // pkg.* is that package only, not its sub-packages; a class name is that class only
        for (String pattern : List.of("dev.persist.jcache.*", "dev.persist.jcache.gadget.Handler")) {
            assertThatThrownBy(() -> codec("c", pattern).encode(g)).as(pattern)
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dev.persist.jcache.gadget.Gadget is not allowed");
        }
    }

    @Test
    void patternsThatAreNotClassPatternsAreRefused() {
        for (String bad : List.of("!com.example.*", "a;b", "maxdepth=5", " ", "", "com.example/Foo", "com example")) {
            assertThat(SerialAllowlist.problemWith(bad)).as(bad).isNotNull();
            assertThatThrownBy(() -> SerialAllowlist.of("c", List.of(bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        for (String good : List.of("com.example.Order", "com.example.*", "com.example.**", "com.example.Ord*",
                "com.example.Outer$Inner")) {
            assertThat(SerialAllowlist.problemWith(good)).as(good).isNull();
        }
    }

    @Test
    void serializationLimitsStillApply() {
        List<Object> deep = new ArrayList<>();
        List<Object> cur = deep;
        for (int i = 0; i < 150; i++) {
            List<Object> next = new ArrayList<>();
            cur.add(next);
            cur = next;
        }
        SerializationCodec<Object> codec = codec("c");
        byte[] bytes = codec.encode(deep);
        assertThatThrownBy(() -> codec.decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a limit of the serialization filter is exceeded")
                .hasMessageContaining("maxdepth=100");
    }

    @Test
    void theLimitOnReferencesStillApplies() {
        // a million and one references to one string: a few MB, well within what the record could hold
        byte[] bytes = plainSerialize(new ArrayList<>(java.util.Collections.nCopies(1_000_001, "x")));
        assertThatThrownBy(() -> codec("c").decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a limit of the serialization filter is exceeded")
                .hasMessageContaining("1000001 references");
        assertThat(codec("c").decode(plainSerialize(new ArrayList<>(java.util.Collections.nCopies(1000, "x")))))
                .asList().hasSize(1000);
    }

    @Test
    void theLimitOnArrayLengthStillApplies() {
        // a record that does hold its 100,000,001 elements: only maxarray refuses it
        byte[] bytes = plainSerialize(new boolean[100_000_001]);
        assertThatThrownBy(() -> codec("c").decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a limit of the serialization filter is exceeded")
                .hasMessageContaining("an array of 100000001");
    }

    @Test
    void theLimitOnStreamBytesStillApplies() {
        // 256 MB of stream resets (each a byte, nothing allocated), then an object: only maxbytes refuses it
        byte[] head = plainSerialize(1);
        byte[] bytes = new byte[268_435_456 + head.length];
        System.arraycopy(head, 0, bytes, 0, 4);
        java.util.Arrays.fill(bytes, 4, 4 + 268_435_456, (byte) 0x79); // TC_RESET
        System.arraycopy(head, 4, bytes, 4 + 268_435_456, head.length - 4);
        assertThatThrownBy(() -> codec("c").decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a limit of the serialization filter is exceeded")
                .hasMessageContaining("maxbytes=268435456");
    }

    @Test
    void theSystemPropertyReplacesTheWholePattern() {
        byte[] payload = codec("c", "dev.persist.jcache.SerializationFilterTest$Payload").encode(new Payload("x"));
        byte[] gadget = plainSerialize(new Gadget("x"));

        System.setProperty(SerializationCodec.FILTER_PROPERTY, "java.lang.*;!*");
        SerializationCodec<Object> strict = codec("c", "dev.persist.jcache.SerializationFilterTest$Payload");
        assertThatThrownBy(() -> strict.decode(payload)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot deserialize")
                .hasMessageContaining("system property persist.jcache.serialFilter");
        assertThatThrownBy(() -> strict.encode(new ArrayList<>())).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class java.util.ArrayList is not allowed by the serialization filter of "
                        + "system property persist.jcache.serialFilter");
        assertThat(strict.decode(strict.encode("still fine"))).isEqualTo("still fine");

        System.setProperty(SerializationCodec.FILTER_PROPERTY, "dev.persist.jcache.gadget.*;java.lang.*;!*");
        assertThat(codec("c").decode(gadget)).isInstanceOf(Gadget.class);
        assertThat(Gadget.ran).isTrue();
    }

    @Test
    void nonSerializableValuesAreRefusedWithIllegalArgument() {
        SerializationCodec<Object> codec = new SerializationCodec<>(loader);
        assertThatThrownBy(() -> codec.encode(new Object())).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not Serializable");
        assertThatThrownBy(() -> codec.encode(new ArrayList<>(List.of(new Object()))))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-serializable");
    }
}
