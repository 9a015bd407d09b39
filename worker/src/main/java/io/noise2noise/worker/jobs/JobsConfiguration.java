package io.noise2noise.worker.jobs;

import io.noise2noise.image.ImageCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobEventPublisher;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.worker.inference.Denoiser;
import io.noise2noise.worker.inference.ModelRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.kafka.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.JsonSerializer;
import org.springframework.util.backoff.ExponentialBackOff;

@Configuration(proxyBeanMethods = false)
public class JobsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(JobsConfiguration.class);

    /** JSON for our records; raw bytes for messages that could not be deserialised, forwarded as-is to the DLT. */
    @Bean
    KafkaTemplate<String, Object> kafkaTemplate(KafkaProperties properties) {
        Map<Class<?>, Serializer<?>> byType = new LinkedHashMap<>();
        byType.put(byte[].class, new ByteArraySerializer());
        byType.put(Object.class, new JsonSerializer<>().noTypeInfo());
        DefaultKafkaProducerFactory<String, Object> factory = new DefaultKafkaProducerFactory<>(
                properties.buildProducerProperties(null), new StringSerializer(),
                new DelegatingByTypeSerializer(byType, true));
        KafkaTemplate<String, Object> template = new KafkaTemplate<>(factory);
        template.setObservationEnabled(true);
        return template;
    }

    /**
     * Retries a failing job with exponential back-off (S3 or the broker may be briefly away), then
     * ends it as failed and parks the message on the dead-letter topic so the partition moves on.
     * Messages that cannot even be read go to the dead-letter topic at once.
     */
    @Bean
    DefaultErrorHandler jobErrorHandler(KafkaTemplate<String, Object> kafka, JobProcessor processor,
                                        WorkerProperties worker, MeterRegistry meters) {
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(kafka);
        ExponentialBackOff backOff = new ExponentialBackOff(worker.retryInitialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(worker.retryMaxInterval().toMillis());
        backOff.setMaxElapsedTime(worker.retryMaxElapsed().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler((record, exception) -> {
            log.error("job message {} given up after retries: {}", record.key(), exception.getMessage());
            if (record.value() instanceof JobRequested request) {
                processor.failAfterRetries(request.jobId(), exception);
            }
            deadLetters.accept(record, exception);
            meters.counter("n2n.worker.dead-letters").increment();
        }, backOff);
        handler.addNotRetryableExceptions(DeserializationException.class);
        return handler;
    }

    /**
     * On shutdown (SIGTERM), the container stops taking jobs and waits up to the shutdown timeout
     * for the job in hand to finish and its offset to be committed; a job still running after that
     * is released uncommitted and redelivered to another worker.
     */
    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> finishJobOnShutdown(
            WorkerProperties worker) {
        return container -> container.getContainerProperties().setShutdownTimeout(worker.shutdownTimeout().toMillis());
    }

    @Bean
    JobProcessor jobProcessor(JobStore jobs, ObjectStore objects, ImageCodec codec, ModelRegistry models,
                              Denoiser denoiser, JobEventPublisher results, MeterRegistry meters,
                              WorkerProperties worker) {
        return new JobProcessor(jobs, objects, codec, models, denoiser, results, meters, worker.checkpointInterval(),
                Clock.systemUTC());
    }


    @Bean
    JobListener jobListener(JobProcessor processor, JobTopics topics) {
        return new JobListener(processor, topics);
    }
}
