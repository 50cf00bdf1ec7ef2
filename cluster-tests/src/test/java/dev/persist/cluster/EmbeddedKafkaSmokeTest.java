package dev.persist.cluster;

import dev.persist.kafka.EmbeddedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded broker takes and gives back records (the other tests stand on it). */
class EmbeddedKafkaSmokeTest {
    @Test
    void aRecordSentIsReadBack() throws Exception {
        EmbeddedKafka kafka = SharedKafka.get();
        String topic = kafka.createCompactedTopic("smoke", 1);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers(), "key.serializer", ByteArraySerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()))) {
            p.send(new ProducerRecord<>(topic, "k".getBytes(), "v".getBytes())).get();
        }
        assertThat(TopicView.read(kafka.bootstrapServers(), topic).raw()).hasSize(1);
    }
}
