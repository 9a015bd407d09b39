package io.noise2noise.job;

import java.util.concurrent.ExecutionException;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes job records on the results topic when a job starts or ends, keyed by job id, and waits
 * for the broker's acknowledgement so a record is out before the message that caused it is committed.
 */
public class JobEventPublisher {

    private final KafkaTemplate<String, Object> kafka;
    private final JobTopics topics;

    public JobEventPublisher(KafkaTemplate<String, Object> kafka, JobTopics topics) {
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
