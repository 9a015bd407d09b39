package io.noise2noise.job;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.annotation.Validated;

/**
 * The Kafka contract between gateway and workers: the topics, and the workers' consumer group (whose
 * lag is the gateway's backlog and KEDA's scaling signal). {@code jobPartitions} bounds how many
 * workers can share the jobs topic, so it must be at least the largest worker count deployed.
 * Messages the workers give up on go to {@link #deadLetters()}, declared with as many partitions as
 * the jobs topic, so a message keeps its partition there.
 */
@Validated
@ConfigurationProperties("n2n.topics")
public record JobTopics(
        @DefaultValue("n2n.jobs") @NotBlank String jobs,
        @DefaultValue("n2n.job-results") @NotBlank String results,
        @DefaultValue("12") @Min(1) int jobPartitions,
        @DefaultValue("3") @Min(1) int resultPartitions,
        @DefaultValue("n2n-workers") @NotBlank String workerGroup) {

    /** The topics as bound with no {@code n2n.topics.*} setting, for code that runs outside Spring. */
    public static JobTopics defaults() {
        return new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("n2n.topics", JobTopics.class);
    }

    public String deadLetters() {
        return jobs + ".DLT";
    }
}
