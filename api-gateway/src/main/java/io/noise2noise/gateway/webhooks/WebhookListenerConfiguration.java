package io.noise2noise.gateway.webhooks;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.job.JobTopics;
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

    /** The bean {@link WebhookListener}'s {@code @RetryableTopic} reads its settings from, by name (SpEL). */
    static final String RETRY_SETTINGS = "webhookRetrySettings";

    /**
     * What the retry topics are made of: an annotation cannot take {@link GatewayProperties} or
     * {@link JobTopics}, only expressions, so they are named here once rather than as property placeholders
     * with defaults of their own.
     *
     * @param partitions as many as the results topic: a failed record goes to its own partition number there
     */
    public record RetrySettings(int attempts, long firstRetryDelayMs, int partitions) {}

    @Bean(RETRY_SETTINGS)
    RetrySettings webhookRetrySettings(GatewayProperties properties, JobTopics topics) {
        return new RetrySettings(
                properties.webhooks().attempts(), properties.webhooks().firstRetryDelayMs(), topics.resultPartitions());
    }

    @Bean(CONTAINER_FACTORY)
    ConcurrentKafkaListenerContainerFactory<Object, Object> webhookListenerContainerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer,
            ConsumerFactory<Object, Object> consumerFactory,
            GatewayProperties properties) {
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory =
                new ConcurrentKafkaListenerContainerFactory<>();
        configurer.configure(factory, consumerFactory);
        ContainerProperties container = factory.getContainerProperties();
        container.setAckMode(ContainerProperties.AckMode.MANUAL);
        container.setAsyncAcks(true);
        container.setPollTimeout(POLL_TIMEOUT.toMillis());
        // the consumer pauses until every record of a poll is acknowledged: a poll is the most under way
        container
                .getKafkaConsumerProperties()
                .setProperty(
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        Integer.toString(4 * properties.webhooks().maxConcurrent()));
        return factory;
    }

    @Bean(RETRY_CONTAINER_FACTORY)
    ConcurrentKafkaListenerContainerFactory<Object, Object> webhookRetryListenerContainerFactory(
            ConcurrentKafkaListenerContainerFactoryConfigurer configurer,
            ConsumerFactory<Object, Object> consumerFactory) {
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory =
                new ConcurrentKafkaListenerContainerFactory<>();
        configurer.configure(factory, consumerFactory);
        factory.getContainerProperties().setAckMode(ContainerProperties.AckMode.RECORD);
        return factory;
    }
}
