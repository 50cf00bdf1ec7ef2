package dev.persist.jcache;

import dev.persist.jcache.codec.SerialAllowlist;
import dev.persist.jcache.codec.SerializationCodec;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SerializationCodec} writes with a stream each thread keeps from value to value: every value must still be a
 * whole serialization stream by itself (read back alone by a plain {@code ObjectInputStream}, whatever was written
 * before it on the thread), and a refusal or a failure of one value must not leak into the next.
 */
class ReusedSerializationStreamTest {
    /** Allowed by the test's allowlist. */
    record Point(int x, int y, String label) implements Serializable {
    }

    /** Not allowed by it. */
    record Secret(String text) implements Serializable {
    }

    /** Holds what cannot be serialized. */
    record Broken(Object notSerializable) implements Serializable {
    }

    /** Encodes another value with the same codec, on the same thread, while it is being written. */
    static final class Nesting implements Serializable {
        static SerializationCodec<Object> codec;
        byte[] inner;
        transient Point point;

        Nesting(Point point) {
            this.point = point;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            inner = codec.encode(point);
            out.defaultWriteObject();
        }
    }

    private final SerializationCodec<Object> codec = new SerializationCodec<>(getClass().getClassLoader(),
            SerialAllowlist.of("test", List.of(Point.class.getName(), Nesting.class.getName(), Broken.class.getName())));

    private static Object readAlone(byte[] bytes) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            Object o = in.readObject();
            assertThat(in.read()).as("nothing after the value").isEqualTo(-1);
            return o;
        }
    }

    @Test
    void eachValueIsAWholeStreamEvenAfterValuesOfTheSameClass() throws Exception {
        List<byte[]> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            written.add(codec.encode(new Point(i, -i, "p" + i)));
        }
        for (int i = 4; i >= 0; i--) {
            assertThat(readAlone(written.get(i))).isEqualTo(new Point(i, -i, "p" + i));
            assertThat(codec.decode(written.get(i))).isEqualTo(new Point(i, -i, "p" + i));
        }
        assertThat(written.get(3)).as("each value writes its class descriptor again")
                .hasSameSizeAs(written.get(4));
    }

    @Test
    void aRefusedClassIsRefusedAndTheNextValueIsNotBlamed() throws Exception {
        codec.encode(new Point(1, 2, "before"));
        assertThatThrownBy(() -> codec.encode(new Secret("s"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Secret.class.getName());
        assertThat(readAlone(codec.encode(new Point(3, 4, "after")))).isEqualTo(new Point(3, 4, "after"));
        assertThatThrownBy(() -> codec.encode(new Secret("again"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Secret.class.getName());
    }

    @Test
    void aValueThatFailsHalfWayLeavesNothingBehindForTheNext() throws Exception {
        codec.encode(new Point(1, 2, "before"));
        assertThatThrownBy(() -> codec.encode(new Broken(new Object()))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-serializable");
        assertThat(readAlone(codec.encode(new Point(5, 6, "after")))).isEqualTo(new Point(5, 6, "after"));
    }

    @Test
    void aValueEncodedWhileAnotherIsWrittenGetsAStreamOfItsOwn() throws Exception {
        Nesting.codec = codec;
        byte[] outer = codec.encode(new Nesting(new Point(7, 8, "inner")));
        Nesting read = (Nesting) readAlone(outer);
        assertThat(readAlone(read.inner)).isEqualTo(new Point(7, 8, "inner"));
        assertThat(readAlone(codec.encode(new Point(9, 9, "next")))).isEqualTo(new Point(9, 9, "next"));
    }

    @Test
    void aLargeValueIsWrittenWhole() throws Exception {
        byte[] big = new byte[100_000];
        big[99_999] = 42;
        byte[] encoded = codec.encode(big);
        assertThat((byte[]) readAlone(encoded)).isEqualTo(big);
        assertThat(readAlone(codec.encode(new Point(1, 1, "small")))).isEqualTo(new Point(1, 1, "small"));
    }
}
