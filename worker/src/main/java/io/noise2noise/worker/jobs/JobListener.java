package io.noise2noise.worker.jobs;

import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobTopics;
import org.springframework.kafka.annotation.KafkaListener;

/** Takes jobs from the jobs topic; the consumer group spreads partitions, so each job goes to one worker. */
public class JobListener {

    private final JobProcessor processor;
    private final JobTopics topics;

    public JobListener(JobProcessor processor, JobTopics topics) {
        this.processor = processor;
        this.topics = topics;
    }

    public String topic() {
        return topics.jobs();
    }

    public String group() {
        return topics.workerGroup();
    }

    @KafkaListener(
            topics = "#{__listener.topic()}",
            groupId = "#{__listener.group()}",
            concurrency = "${n2n.worker.consumers:1}")
    public void onJob(JobRequested request) {
        processor.process(request);
    }
}
