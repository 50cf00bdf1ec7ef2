package dev.persist.jcache;

import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Store-by-value holds deeply immutable records as they are, and copies every other record. */
class ImmutableRecordFormTest {
    enum Color { RED }

    record Point(int x, double y, String label, Long boxed, Color color) implements Serializable {
    }

    record Nested(Point p, String name) implements Serializable {
    }

    record WithList(List<String> names) implements Serializable {
    }

    record NotSerializable(int x) {
    }

    record WithBig(java.math.BigDecimal amount) implements Serializable {
    }

    record WithArray(int[] values) implements Serializable {
    }

    @Test
    void deeplyImmutableSerializableRecordsAreShared() {
        assertThat(Form.isImmutable(new Point(1, 2.0, "a", 3L, Color.RED))).isTrue();
        assertThat(Form.isImmutable(new Nested(new Point(1, 2.0, "a", 3L, Color.RED), "n"))).isTrue();
    }

    @Test
    void recordsThatCanChangeOrCannotBeWrittenAreCopied() {
        assertThat(Form.isImmutable(new WithList(List.of("a")))).isFalse();
        assertThat(Form.isImmutable(new NotSerializable(1))).isFalse();
        assertThat(Form.isImmutable(new WithBig(java.math.BigDecimal.ONE))).isFalse(); // BigDecimal is not final
        assertThat(Form.isImmutable(new WithArray(new int[] {1}))).isFalse();
    }

    @Test
    void theClassesAHeldValueWillBeWrittenWithAreKnownWithoutWritingIt() {
        // checked against the serialization allowlist at put, since such values are encoded only when logged
        assertThat(Form.SerialClasses.OF.get(Nested.class)).containsExactlyInAnyOrder(Nested.class, Point.class,
                Long.class, Number.class, Color.class, Enum.class);
        assertThat(Form.SerialClasses.OF.get(String.class)).isEmpty();
        assertThat(Form.SerialClasses.OF.get(java.math.BigDecimal.class)).containsExactlyInAnyOrder(
                java.math.BigDecimal.class, Number.class, java.math.BigInteger.class);
    }
}
