package io.noise2noise.it;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.ObjectStore;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.KafkaTemplate;

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

    @SuppressWarnings("unchecked")
    DirectJobs(ConfigurableApplicationContext worker) {
        this.jobs = worker.getBean(JobStore.class);
        this.objects = worker.getBean(ObjectStore.class);
        this.kafka = worker.getBean(KafkaTemplate.class);
        this.topics = worker.getBean(JobTopics.class);
    }

    /** A job for a PNG {@code input} of {@code width}x{@code height}, written as {@code format} (null: PNG). */
    String submit(byte[] input, int width, int height, String format) {
        String id = JobIds.newId();
        objects.put(JobKeys.input(id), input, "image/png");
        return publish(queued(id, width, height, format), JobKeys.input(id));
    }

    /** A job whose message names {@code inputKey} as its input. */
    String submitReading(String inputKey) {
        String id = JobIds.newId();
        return publish(queued(id, 8, 8, null), inputKey);
    }

    /** A job whose record exists but whose message is {@code value}, bytes that are no {@link JobRequested}. */
    String submitUnreadable(byte[] value) {
        String id = JobIds.newId();
        jobs.create(queued(id, 8, 8, null));
        send(id, value);
        return id;
    }

    Job find(String id) {
        return jobs.find(id).orElseThrow();
    }

    private Job queued(String id, int width, int height, String format) {
        JobSpec spec = new JobSpec(null, 1.0, format, null, null, Set.of(), null, null, null);
        return Job.queued(id, spec, "png", width, height, Instant.now());
    }

    private String publish(Job job, String inputKey) {
        jobs.create(job);
        send(job.id(), new JobRequested(job.id(), inputKey, null, 1.0, job.createdAt()));
        return job.id();
    }

    private void send(String key, Object value) {
        try {
            kafka.send(topics.jobs(), key, value).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish " + key, e.getCause());
        }
    }
}
