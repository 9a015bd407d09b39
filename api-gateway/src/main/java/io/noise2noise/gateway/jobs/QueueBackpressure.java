package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.job.JobTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.springframework.stereotype.Component;

/**
 * Refuses new jobs (429 with {@code Retry-After}) while the workers' backlog — the consumer group's
 * lag on the jobs topic — is above a bound, so a burst cannot queue hours of work nobody waits
 * for. The lag is read from the broker at most once per refresh interval, by one submission while
 * the others go on with the last figure: behind a lock, every submission arriving during the read
 * (several broker round trips) waited for it.
 */
@Component
public class QueueBackpressure {

    private final Admin admin;
    private final JobTopics topics;
    private final GatewayProperties.Backpressure settings;
    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile Instant checkedAt = Instant.EPOCH;
    private volatile long lag;

    public QueueBackpressure(Admin admin, JobTopics topics, GatewayProperties properties) {
        this.admin = admin;
        this.topics = topics;
        this.settings = properties.backpressure();
    }

    /** Refuses the submission when the backlog is over the bound. */
    public void check() {
        long backlog = backlog();
        if (backlog > settings.maxQueuedJobs()) {
            throw new RequestRefusedException(Reason.QUEUE_FULL, backlog + " jobs are waiting (more than "
                    + settings.maxQueuedJobs() + "); try again later", settings.retryAfter());
        }
    }

    /** Jobs published but not yet taken by a worker, as of the last refresh. */
    public long backlog() {
        if (due() && reading.compareAndSet(false, true)) {
            try {
                if (due()) {
                    Instant now = Instant.now();
                    lag = readLag();
                    checkedAt = now;
                }
            } finally {
                reading.set(false);
            }
        }
        return lag;
    }

    private boolean due() {
        return Duration.between(checkedAt, Instant.now()).compareTo(settings.refreshInterval()) >= 0;
    }

    private long readLag() {
        try {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topics.jobs())).allTopicNames()
                    .get(5, TimeUnit.SECONDS).get(topics.jobs()).partitions().stream()
                    .map(p -> new TopicPartition(topics.jobs(), p.partition())).toList();
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                    partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(
                    partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest())))
                    .all().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(topics.workerGroup())
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            long total = 0;
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata done = committed.get(partition);
                long position = done != null ? done.offset() : starts.get(partition).offset();
                total += Math.max(0, ends.get(partition).offset() - position);
            }
            return total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RequestRefusedException.queueUnavailable(e);
        } catch (Exception e) {
            throw RequestRefusedException.queueUnavailable(e);
        }
    }
}
