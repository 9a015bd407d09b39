package io.noise2noise.job;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** Up when the broker describes the jobs topic within a few seconds; part of readiness. */
public class KafkaHealthIndicator implements HealthIndicator {

    private final Admin admin;
    private final JobTopics topics;

    public KafkaHealthIndicator(Admin admin, JobTopics topics) {
        this.admin = admin;
        this.topics = topics;
    }

    @Override
    public Health health() {
        try {
            Map<String, TopicDescription> described =
                    admin.describeTopics(List.of(topics.jobs())).allTopicNames().get(3, TimeUnit.SECONDS);
            return Health.up()
                    .withDetail(
                            "jobPartitions",
                            described.get(topics.jobs()).partitions().size())
                    .build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down(e).build();
        } catch (Exception e) {
            return Health.down().withDetail("error", e.toString()).build();
        }
    }
}
