package dev.persist.jcache;

import dev.persist.jcache.codec.SerializationCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.Serializable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerializationFilterTest {
    record Payload(String s) implements Serializable {
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(SerializationCodec.FILTER_PROPERTY);
    }

    @Test
    void theDefaultFilterLetsApplicationClassesThrough() {
        SerializationCodec<Object> codec = new SerializationCodec<>(getClass().getClassLoader());
        assertThat(codec.decode(codec.encode(new Payload("x")))).isEqualTo(new Payload("x"));
    }

    @Test
    void aConfiguredFilterRejectsClassesItDoesNotAllow() {
        System.setProperty(SerializationCodec.FILTER_PROPERTY, "java.lang.*;!*");
        SerializationCodec<Object> codec = new SerializationCodec<>(getClass().getClassLoader());
        byte[] bytes = codec.encode(new Payload("x"));
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot deserialize");
        assertThat(codec.decode(codec.encode("still fine"))).isEqualTo("still fine");
    }

    @Test
    void nonSerializableValuesAreRefusedWithIllegalArgument() {
        SerializationCodec<Object> codec = new SerializationCodec<>(getClass().getClassLoader());
        assertThatThrownBy(() -> codec.encode(new Object())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode(new java.util.ArrayList<>(java.util.List.of(new Object()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-serializable");
    }
}
