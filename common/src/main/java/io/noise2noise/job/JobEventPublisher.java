package io.noise2noise.job;

import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes job records on the results topic when a job starts or ends, keyed by job id, and waits
 * for the broker's acknowledgement so a record is out before the message that caused it is committed.
 */
public class JobEventPublisher {

    private static final Logger log = LoggerFactory.getLogger(JobEventPublisher.class);

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

    /**
     * Sends the record without waiting for the broker: for an event nothing waits on before going on
     * (a job's start, on its way to the job's end). One producer keeps a job's events in order (same
     * key, same partition), so an end published after it still arrives after it; a failure is logged.
     */
    public void publishWithoutWaiting(Job job) {
        kafka.send(topics.results(), job.id(), job).whenComplete((sent, e) -> {
            if (e != null) {
                log.warn(
                        "job {}: could not publish its {} event: {}",
                        job.id(),
                        job.status().wireName(),
                        e.toString());
            }
        });
    }
}
