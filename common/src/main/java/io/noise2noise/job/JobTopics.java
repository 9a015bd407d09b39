package io.noise2noise.job;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Kafka topics of the job contract, and the workers' consumer group. {@code jobPartitions} bounds how
 * many workers can share the jobs topic, so it must be at least the largest worker count deployed.
 * Messages the workers give up on go to {@link #deadLetters()}, declared with as many partitions as
 * the jobs topic, so a message keeps its partition there.
 */
@Validated
@ConfigurationProperties("n2n.topics")
public record JobTopics(
        @NotBlank String jobs,
        @NotBlank String results,
        @Min(1) int jobPartitions,
        @Min(1) int resultPartitions,
        @NotBlank String workerGroup) {

    public JobTopics {
        jobs = jobs == null ? "n2n.jobs" : jobs;
        results = results == null ? "n2n.job-results" : results;
        jobPartitions = jobPartitions == 0 ? 12 : jobPartitions;
        resultPartitions = resultPartitions == 0 ? 3 : resultPartitions;
        workerGroup = workerGroup == null ? "n2n-workers" : workerGroup;
    }

    public String deadLetters() {
        return jobs + ".DLT";
    }
}
