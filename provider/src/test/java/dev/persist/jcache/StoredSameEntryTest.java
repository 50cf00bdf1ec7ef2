package dev.persist.jcache;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An expiry decided on an entry still applies when the key is looked at again under its lock and the entry read is a
 * new copy of the same record (a cache with {@code disk} decodes one per read beyond its front, and the front may drop
 * the entry in between); not when the entry changed.
 */
class StoredSameEntryTest {
    @Test
    void aNewCopyOfTheSameRecordIsTheSameEntry() {
        Stored found = new Stored(new byte[]{1, 2, 3}, 1_000);
        assertThat(Stored.sameEntry(found, found)).isTrue();
        assertThat(Stored.sameEntry(new Stored(new byte[]{1, 2, 3}, 1_000), found)).isTrue();
        assertThat(Stored.sameEntry(new Stored("v", 1_000), new Stored("v", 1_000))).isTrue();
    }

    @Test
    void anotherValueOrExpiryOrNoEntryIsNot() {
        Stored found = new Stored(new byte[]{1, 2, 3}, 1_000);
        assertThat(Stored.sameEntry(new Stored(new byte[]{1, 2, 4}, 1_000), found)).isFalse();
        assertThat(Stored.sameEntry(new Stored(new byte[]{1, 2, 3}, 2_000), found)).isFalse();
        assertThat(Stored.sameEntry(null, found)).isFalse();
        assertThat(Stored.sameEntry(new Stored("v", 1_000), new Stored("w", 1_000))).isFalse();
    }
}
