package io.noise2noise.worker.jobs;

import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobTopics;
import org.springframework.kafka.annotation.KafkaListener;

/** Takes jobs from the jobs topic; the consumer group spreads partitions, so each job goes to one worker. */
public class JobListener {

    private final JobProcessor processor;
    private final JobTopics topics;
    private final int consumers;

    public JobListener(JobProcessor processor, JobTopics topics, int consumers) {
        this.processor = processor;
        this.topics = topics;
        this.consumers = consumers;
    }

    public String topic() {
        return topics.jobs();
    }

    public String consumers() {
        return String.valueOf(consumers);
    }

    public String group() {
        return topics.workerGroup();
    }

    @KafkaListener(
            topics = "#{__listener.topic()}",
            groupId = "#{__listener.group()}",
            concurrency = "#{__listener.consumers()}")
    public void onJob(JobRequested request) {
        processor.process(request);
    }
}
