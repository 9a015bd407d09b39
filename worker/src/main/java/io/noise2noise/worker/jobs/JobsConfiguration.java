package io.noise2noise.worker.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobEventPublisher;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.worker.inference.Denoiser;
import io.noise2noise.worker.inference.ModelRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
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
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.util.backoff.FixedBackOff;

@Configuration(proxyBeanMethods = false)
public class JobsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(JobsConfiguration.class);
    private static final BackOff NO_RETRIES = new FixedBackOff(0, 0);

    /** JSON for our records; raw bytes for messages that could not be deserialised, forwarded as-is to the DLT. */
    @Bean
    KafkaTemplate<String, Object> kafkaTemplate(KafkaProperties properties) {
        Map<Class<?>, Serializer<?>> byType = new LinkedHashMap<>();
        byType.put(byte[].class, new ByteArraySerializer());
        byType.put(Object.class, new JsonSerializer<>().noTypeInfo());
        DefaultKafkaProducerFactory<String, Object> factory = new DefaultKafkaProducerFactory<>(
                properties.buildProducerProperties(null),
                new StringSerializer(),
                new DelegatingByTypeSerializer(byType, true));
        KafkaTemplate<String, Object> template = new KafkaTemplate<>(factory);
        template.setObservationEnabled(true);
        return template;
    }

    /**
     * Retries a job whose failure can heal ({@link HealableFailures}: S3 or the broker briefly away)
     * with exponential back-off; gives up at once on anything else, and on messages that cannot even
     * be read. Giving up ends the job as failed (its id is the message's key when the message cannot
     * be read) and parks the message on the contract's dead-letter topic, in the partition it came
     * from (the topic is declared with as many), so the partition moves on.
     */
    @Bean
    DefaultErrorHandler jobErrorHandler(
            KafkaTemplate<String, Object> kafka,
            JobProcessor processor,
            JobTopics topics,
            WorkerProperties worker,
            MeterRegistry meters) {
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(
                kafka, (record, exception) -> new TopicPartition(topics.deadLetters(), record.partition()));
        ExponentialBackOff backOff =
                new ExponentialBackOff(worker.retryInitialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(worker.retryMaxInterval().toMillis());
        backOff.setMaxElapsedTime(worker.retryMaxElapsed().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(
                (record, exception) -> {
                    log.error("job message {} given up", record.key(), exception);
                    String jobId =
                            record.value() instanceof JobRequested request ? request.jobId() : (String) record.key();
                    if (jobId != null) {
                        processor.failGivenUp(jobId, givenUpError(exception));
                    }
                    deadLetters.accept(record, exception);
                    meters.counter("n2n.worker.dead-letters").increment();
                },
                backOff);
        // null: the back-off above
        handler.setBackOffFunction((record, exception) -> HealableFailures.canHeal(exception) ? null : NO_RETRIES);
        return handler;
    }

    /** What the client reads about a job given up on: no exception text, which the log has. */
    private static JobError givenUpError(Exception exception) {
        String message = exception instanceof DeserializationException
                        || exception.getCause() instanceof DeserializationException
                ? "the job's message could not be read"
                : HealableFailures.canHeal(exception)
                        ? "storage or the message broker stayed unavailable through every retry"
                        : "the job could not be processed; the worker's log has the details under the job's id";
        return new JobError(JobError.PROCESSING_FAILED, message);
    }

    /** Ends the process when an Error stops the listener, so that the worker is restarted. */
    @Bean
    ListenerErrorExit listenerErrorExit() {
        return new ListenerErrorExit();
    }

    /**
     * On shutdown (SIGTERM), the container stops taking jobs and waits up to the shutdown timeout
     * for the job in hand to finish and its offset to be committed; a job still running after that
     * is released uncommitted and redelivered to another worker.
     */
    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> finishJobOnShutdown(
            WorkerProperties worker) {
        return container -> container
                .getContainerProperties()
                .setShutdownTimeout(worker.shutdownTimeout().toMillis());
    }

    @Bean
    JobProcessor jobProcessor(
            JobStore jobs,
            ObjectStore objects,
            ImageCodec codec,
            ModelRegistry models,
            Denoiser denoiser,
            JobEventPublisher results,
            MeterRegistry meters,
            WorkerProperties worker,
            ImageLimits limits) {
        return new JobProcessor(
                jobs,
                objects,
                codec,
                models,
                denoiser,
                results,
                meters,
                worker.checkpointInterval(),
                limits.maxUploadBytes().toBytes(),
                Clock.systemUTC());
    }

    @Bean
    JobListener jobListener(JobProcessor processor, JobTopics topics, WorkerProperties worker) {
        return new JobListener(processor, topics, worker.consumers());
    }
}
