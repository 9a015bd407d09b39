package io.noise2noise.it;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.MinioObjectStore;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.StorageProperties;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.serializer.JsonSerializer;

/**
 * Puts jobs straight on the jobs topic as the gateway would (input in S3, record created, then
 * {@link JobRequested} published, keyed by job id), bypassing the gateway's checks: for jobs the
 * gateway refuses at submission, and for messages it never sends. Uses a worker context's own
 * S3 and Kafka clients, which talk to the real servers.
 */
final class DirectJobs {

    private final JobStore jobs;
    private final ObjectStore objects;
    private final KafkaTemplate<String, Object> kafka;
    private final JobTopics topics;

    private DirectJobs(JobStore jobs, ObjectStore objects, KafkaTemplate<String, Object> kafka, JobTopics topics) {
        this.jobs = jobs;
        this.objects = objects;
        this.kafka = kafka;
        this.topics = topics;
    }

    /** With the clients of a worker running in this JVM. */
    @SuppressWarnings("unchecked")
    static DirectJobs of(ConfigurableApplicationContext worker) {
        return new DirectJobs(
                worker.getBean(JobStore.class),
                worker.getBean(ObjectStore.class),
                worker.getBean(KafkaTemplate.class),
                worker.getBean(JobTopics.class));
    }

    /** With clients of its own, for workers in processes of their own, which read {@code topics}. */
    static DirectJobs connect(JobTopics topics) {
        Backend backend = Backend.get();
        ObjectStore objects = MinioObjectStore.connect(new StorageProperties(
                URI.create(backend.s3Endpoint()),
                null,
                backend.accessKey(),
                backend.secretKey(),
                Pipeline.BUCKET,
                "us-east-1",
                true,
                0,
                64));
        // the JSON the services write: Spring Boot's defaults (ISO dates), and no type headers
        JobStore jobs = new JobStore(objects, Jackson2ObjectMapperBuilder.json().build());
        KafkaTemplate<String, Object> kafka = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, backend.kafkaBootstrap()),
                new StringSerializer(),
                new JsonSerializer<>().noTypeInfo()));
        return new DirectJobs(jobs, objects, kafka, topics);
    }

    /** A job for a PNG {@code input} of {@code width}x{@code height}, written as {@code format} (null: PNG). */
    String submit(byte[] input, int width, int height, String format) {
        return submit(input, width, height, format, null);
    }

    /** As {@link #submit(byte[], int, int, String)}, on jobs-topic partition {@code partition} (null: by key). */
    String submit(byte[] input, int width, int height, String format, Integer partition) {
        String id = JobIds.newId();
        objects.put(JobKeys.input(id), input, "image/png");
        return publish(queued(id, width, height, format), JobKeys.input(id), partition);
    }

    /** A job whose message names {@code inputKey} as its input. */
    String submitReading(String inputKey) {
        String id = JobIds.newId();
        return publish(queued(id, 8, 8, null), inputKey, null);
    }

    /** A job whose record exists but whose message is {@code value}, bytes that are no {@link JobRequested}. */
    String submitUnreadable(byte[] value) {
        String id = JobIds.newId();
        jobs.create(queued(id, 8, 8, null));
        send(null, id, value);
        return id;
    }

    /** Hands an existing job (one another gateway queued elsewhere) to the workers, as its gateway would have. */
    void request(String id) {
        Job job = find(id);
        send(
                null,
                id,
                new JobRequested(
                        id, JobKeys.input(id), job.spec().model(), job.spec().strength(), job.createdAt()));
    }

    Job find(String id) {
        return jobs.find(id).orElseThrow();
    }

    private Job queued(String id, int width, int height, String format) {
        JobSpec spec = new JobSpec(null, 1.0, format, null, null, Set.of(), null, null, null);
        return Job.queued(id, spec, "png", width, height, Instant.now());
    }

    private String publish(Job job, String inputKey, Integer partition) {
        jobs.create(job);
        send(partition, job.id(), new JobRequested(job.id(), inputKey, null, 1.0, job.createdAt()));
        return job.id();
    }

    private void send(Integer partition, String key, Object value) {
        try {
            kafka.send(topics.jobs(), partition, key, value).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish " + key, e.getCause());
        }
    }
}
