package dev.persist.jcache;

import dev.persist.jcache.codec.SerialAllowlist;
import dev.persist.jcache.codec.SerializationCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Decoding is bounded by the record itself: arrays and collections claim no more elements than its bytes could
 * hold, hashing nested collections visits no more elements than its bytes allow, and an {@code Error} thrown while
 * decoding is an undecodable value like any bad bytes.
 */
class DecodeBoundsTest {
    private final SerializationCodec<Object> codec = new SerializationCodec<>(getClass().getClassLoader(),
            SerialAllowlist.of("c", List.of("dev.persist.jcache.HostileReadObject")));

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPrimitiveArrayCannotClaimMoreElementsThanTheRecordHolds() {
        byte[] bytes = HostileBytes.longArray(HostileBytes.JUST_UNDER_MAXARRAY);
        assertThat(bytes).hasSize(27);
        assertThatThrownBy(() -> codec.decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claim more elements than its record of 27 bytes could hold")
                .hasMessageContaining("an array of 99999999 long");
        // as many elements as the record holds are fine
        long[] fits = new long[1000];
        assertThat((long[]) codec.decode(HostileBytes.serialize(fits))).hasSize(1000);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aCollectionCannotClaimMoreElementsThanTheRecordHolds() {
        assertThatThrownBy(() -> codec.decode(HostileBytes.arrayListOfSize(HostileBytes.JUST_UNDER_MAXARRAY)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claim more elements than its record of")
                .hasMessageContaining("an array of 99999999 java.lang.Object");
        assertThatThrownBy(() -> codec.decode(HostileBytes.hashMapOfSize(40_000_000)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claim more elements than its record of")
                .hasMessageContaining("java.util.Map$Entry");
        // the forging itself is sound: the same bytes with the real sizes decode
        assertThat(codec.decode(HostileBytes.arrayListOfSize(1))).isEqualTo(Collections.singletonList(null));
        assertThat(codec.decode(HostileBytes.hashMapOfSize(1))).isEqualTo(Collections.singletonMap(null, null));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theClaimsOfAllTheArraysOfARecordAddUp() {
        // each array alone claims less than the record holds, together more: the first is there, the second not
        long[] present = new long[4000];
        byte[] whole = HostileBytes.serialize(new Object[] {present, new long[4000]});
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 8 * 4000 + 10);
        assertThatThrownBy(() -> codec.decode(cut)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("claim more elements than its record of " + cut.length + " bytes could hold")
                .hasMessageContaining("an array of 4000 long");
        assertThat((Object[]) codec.decode(whole)).hasSize(2);
    }

    /** Every JDK collection sizes what it allocates from its own bytes: the bound never refuses what they wrote. */
    @Test
    void realCollectionsOfEveryShapeStillDecode() {
        List<Object> values = new ArrayList<>();
        values.add(new HashSet<>());
        values.add(new HashMap<>());
        values.add(new Hashtable<>());
        values.add(new ArrayDeque<>());
        values.add(new PriorityQueue<>());
        values.add(new IdentityHashMap<>());
        values.add(List.of());
        values.add(Map.of());
        values.add(Set.of());
        // the smallest load factor a HashSet or HashMap keeps (0.25): 8 table slots per element
        HashSet<Object> sparseSet = new HashSet<>(1, 0.25f);
        sparseSet.add(null);
        values.add(sparseSet);
        HashMap<Object, Object> sparseMap = new HashMap<>(1, 0.25f);
        sparseMap.put(null, null);
        values.add(sparseMap);
        Hashtable<Object, Object> sparseTable = new Hashtable<>(1, 0.25f);
        sparseTable.put(1, 1);
        values.add(sparseTable);
        for (int n = 1; n < 5; n++) {
            IdentityHashMap<Object, Object> m = new IdentityHashMap<>();
            for (int i = 0; i < n; i++) {
                m.put(i == 0 ? null : (Object) i, null);
            }
            values.add(m);
        }
        List<Object> manyEmpty = new ArrayList<>();
        List<Object> manySparse = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            manyEmpty.add(i % 2 == 0 ? new HashSet<>() : new IdentityHashMap<>());
            HashSet<Object> s = new HashSet<>(1, 0.25f);
            s.add(null);
            manySparse.add(s);
        }
        values.add(manyEmpty);
        values.add(manySparse);
        values.add(new Object[1000]);
        values.add(new ArrayList<>(Collections.nCopies(1000, null)));
        values.add(new boolean[1000]);
        values.add(new char[1000]);
        values.add(new double[1000]);
        TreeMap<String, List<Integer>> nested = new TreeMap<>();
        LinkedHashMap<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            nested.put("k" + i, List.of(i, i + 1));
            row.put("c" + i, new Object[] {i, "v", List.of(Set.of(i))});
        }
        values.add(nested);
        values.add(row);
        // collections sharing elements, as long as hashing them visits no more than a few times what the bytes hold
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            shared.add("s" + i);
        }
        Map<String, List<String>> sameListEverywhere = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            sameListEverywhere.put("k" + i, shared);
        }
        values.add(sameListEverywhere);
        values.add(new HashSet<>(Set.of(sameListEverywhere.keySet().toString(), List.of(shared, List.of(shared)))));
        for (Object v : values) {
            byte[] bytes = HostileBytes.serialize(v);
            Object back = codec.decode(bytes);
            assertThat(back).as("%s of %d bytes", v.getClass().getName(), bytes.length).isInstanceOf(v.getClass());
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void deeplyNestedSetsSharingTheirElementsAreRefusedBeforeHashingThemHangs() {
        // 40 levels of 2 sets, about 2.7 KB: unbounded, hashing it never ends
        byte[] bytes = HostileBytes.nestedSets(40, 2);
        assertThat(bytes.length).isLessThan(3000);
        assertThatThrownBy(() -> codec.decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a java.util.HashSet whose hash code would visit")
                .hasMessageContaining("its record of " + bytes.length + " bytes allows");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shallowButWideNestedSetsAreRefusedToo() {
        // 5 levels only (a limit on nesting would let it through), 30 sets each: hashing visits 30^5 elements
        byte[] bytes = HostileBytes.nestedSets(5, 30);
        assertThatThrownBy(() -> codec.decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a java.util.HashSet whose hash code would visit");
        // the same shape, small enough to hash in a few times what its bytes hold, decodes
        assertThat(codec.decode(HostileBytes.nestedSets(3, 10))).isInstanceOf(HashSet.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"oom", "soe", "linkage", "state"})
    void whatReadingThrowsIsAnUndecodableValue(String failure) {
        byte[] bytes = codec.encode(new HostileReadObject(failure));
        assertThatThrownBy(() -> codec.decode(bytes)).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot deserialize: ");
        assertThat(codec.decode(codec.encode(new HostileReadObject("none")))).isInstanceOf(HostileReadObject.class);
    }
}
