package io.noise2noise.gateway.webhooks;

import io.noise2noise.gateway.GatewayProperties;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.boot.autoconfigure.kafka.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * The webhook listener's containers. The main topic's: Spring Boot's settings, plus out-of-order
 * acknowledgements, since each record is acknowledged when its delivery ends rather than when the
 * listener returns. The retry and dead-letter topics': in order, one record at a time.
 */
@Configuration(proxyBeanMethods = false)
public class WebhookListenerConfiguration {

    static final String CONTAINER_FACTORY = "webhookListenerContainerFactory";

    /** The retry and dead-letter topics' containers: Spring Boot's settings, records acknowledged in order. */
    static final String RETRY_CONTAINER_FACTORY = "webhookRetryListenerContainerFactory";

    /** How long a poll waits for records; a stopping gateway waits twice this after a last failure (see {@link WebhookDispatcher#stop}). */
    static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    @Bean(CONTAINER_FACTORY)
    ConcurrentKafkaListenerContainerFactory<Object, Object> webhookListenerContainerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer, ConsumerFactory<Object, Object> consumerFactory,
            GatewayProperties properties) {
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
        configurer.configure(factory, consumerFactory);
        ContainerProperties container = factory.getContainerProperties();
        container.setAckMode(ContainerProperties.AckMode.MANUAL);
        container.setAsyncAcks(true);
        container.setPollTimeout(POLL_TIMEOUT.toMillis());
        // the consumer pauses until every record of a poll is acknowledged: a poll is the most under way
        container.getKafkaConsumerProperties().setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                Integer.toString(4 * properties.webhooks().maxConcurrent()));
        return factory;
    }

    @Bean(RETRY_CONTAINER_FACTORY)
    ConcurrentKafkaListenerContainerFactory<Object, Object> webhookRetryListenerContainerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer, ConsumerFactory<Object, Object> consumerFactory) {
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
        configurer.configure(factory, consumerFactory);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.RECORD);
        return factory;
    }
}
