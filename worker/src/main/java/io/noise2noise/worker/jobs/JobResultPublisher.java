package io.noise2noise.worker.jobs;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobTopics;
import java.util.concurrent.ExecutionException;
import org.springframework.kafka.core.KafkaTemplate;

/** Publishes finished job records, keyed by job id, and waits for the broker's acknowledgement. */
public class JobResultPublisher {

    private final KafkaTemplate<String, Object> kafka;
    private final JobTopics topics;

    public JobResultPublisher(KafkaTemplate<String, Object> kafka, JobTopics topics) {
        this.kafka = kafka;
        this.topics = topics;
    }

    public void publish(Job job) {
        try {
            kafka.send(topics.results(), job.id(), job).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing result of job " + job.id(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish result of job " + job.id(), e.getCause());
        }
    }
}
