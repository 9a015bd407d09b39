package io.noise2noise.testing;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.mock.MockProducerFactory;
import org.springframework.kafka.support.serializer.JsonSerializer;

/**
 * Kafka's mock producer as the services' seam to the broker in fast tests: it serialises every
 * record as the services' producers do (String keys, JSON values) and keeps them all in one history.
 * It stays open, as the template closes its producer after every send and the factory hands out
 * this one each time.
 */
public class RecordingProducer extends MockProducer<String, Object> {

    /** @param answers true: every send is acknowledged at once; false: never, as with the broker unreachable */
    public RecordingProducer(boolean answers) {
        super(answers, null, new StringSerializer(), new JsonSerializer<>().noTypeInfo());
    }

    /** A template that sends through this producer. */
    public KafkaTemplate<String, Object> template() {
        return new KafkaTemplate<>(new MockProducerFactory<>(() -> this));
    }

    /** The values sent to {@code topic}, in order. */
    public <T> List<T> sent(String topic, Class<T> type) {
        return history().stream()
                .filter(record -> record.topic().equals(topic))
                .map(ProducerRecord::value)
                .map(type::cast)
                .toList();
    }

    @Override
    public void close() {}

    @Override
    public void close(Duration timeout) {}
}
