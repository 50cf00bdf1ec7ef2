package dev.persist.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which values a disk-backed map keeps in memory after reading them back ({@link SecondReadAdmission}): a key read
 * back once is served and not kept; a key read back again within the window is kept from that read on.
 */
class SecondReadAdmissionTest {
    @TempDir
    Path dir;

    private final ConcurrentMap<String, String> front = new ConcurrentHashMap<>();

    private PersistMap<String, String> diskMap(Store store) {
        return store.map(MapConfig.of("d", Codecs.utf8(), Codecs.utf8()).memory(front).disk(1L << 30));
    }

    private Store open() {
        return Store.open(dir.resolve("a.log"),
                StoreOptions.defaults().syncInterval(Duration.ofHours(1)).diskNamespaces(ns -> ns.equals("d")));
    }

    @Test
    void keysReadBackOnceAreServedButNotKeptInMemory() {
        try (Store store = open()) {
            PersistMap<String, String> m = diskMap(store);
            for (int i = 0; i < 1000; i++) {
                m.set("k" + i, "v" + i); // written around memory: on disk only
            }
            assertThat(front).isEmpty();
            for (int i = 0; i < 1000; i++) {
                assertThat(m.get("k" + i)).isEqualTo("v" + i);
            }
            assertThat(front).isEmpty();
        }
    }

    @Test
    void aKeyReadBackAgainIsKeptInMemoryFromItsSecondRead() {
        try (Store store = open()) {
            PersistMap<String, String> m = diskMap(store);
            m.set("hot", "v1");
            assertThat(m.get("hot")).isEqualTo("v1");
            assertThat(front).doesNotContainKey("hot");
            assertThat(m.get("hot")).isEqualTo("v1");
            assertThat(front).containsEntry("hot", "v1");
            front.clear(); // as a bounded memory drops it: read back again soon, it is kept at once
            assertThat(m.get("hot")).isEqualTo("v1");
            assertThat(front).containsEntry("hot", "v1");
        }
    }

    @Test
    void aPeekNeitherKeepsTheValueNorCountsAsARead() {
        try (Store store = open()) {
            PersistMap<String, String> m = diskMap(store);
            m.set("k", "v");
            assertThat(m.peek("k")).isEqualTo("v");
            assertThat(m.peek("k")).isEqualTo("v");
            assertThat(front).isEmpty();
            assertThat(m.get("k")).isEqualTo("v");
            assertThat(front).isEmpty(); // the first read back: the peeks did not count
        }
    }

    @Test
    void theWindowForgetsEveryKeyOnceItHoldsItsNumberOfKeys() {
        int window = 64;
        SecondReadAdmission admission = new SecondReadAdmission(window);
        assertThat(admission.admit("a")).isFalse();
        assertThat(admission.admit("a")).isTrue();
        int remembered = 1;
        for (int i = 0; remembered < window - 1; i++) {
            if (!admission.admit("other" + i)) {
                remembered++; // a key that set a bit of its own (one that shares a set bit is admitted)
            }
        }
        assertThat(admission.admit("a")).isTrue(); // one short of the window: still remembered
        for (int i = 0; remembered < window; i++) {
            if (!admission.admit("more" + i)) {
                remembered++;
            }
        }
        assertThat(admission.admit("a")).isFalse(); // the window started over
        assertThat(admission.admit("a")).isTrue();
    }

    @Test
    void aWindowIsAPowerOfTwo() {
        assertThatThrownBy(() -> new SecondReadAdmission(100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SecondReadAdmission(4)).isInstanceOf(IllegalArgumentException.class);
    }
}
