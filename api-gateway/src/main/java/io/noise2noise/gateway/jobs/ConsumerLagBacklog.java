package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.job.JobTopics;
import jakarta.annotation.PreDestroy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The workers' backlog as the consumer group's lag on the jobs topic, read from the broker in the
 * background once per refresh interval (four admin round trips), so no submission waits for the
 * broker. A failed read keeps the last figure: publishing the job is what finds the broker away.
 */
@Component
public class ConsumerLagBacklog implements WorkerBacklog {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLagBacklog.class);

    private final Admin admin;
    private final JobTopics topics;
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "queue-backlog-read");
        thread.setDaemon(true);
        return thread;
    });
    /** Jobs published but not yet taken by a worker, as of the last read. */
    private volatile long lag;

    public ConsumerLagBacklog(Admin admin, JobTopics topics, GatewayProperties properties) {
        this.admin = admin;
        this.topics = topics;
        reader.scheduleWithFixedDelay(
                this::refresh, 0, properties.backpressure().refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public long waiting() {
        return lag;
    }

    private void refresh() {
        try {
            lag = readLag();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("could not read the workers' backlog (keeping {}): {}", lag, e.toString());
        }
    }

    @PreDestroy
    void stop() {
        reader.shutdownNow();
    }

    private long readLag() throws Exception {
        List<TopicPartition> partitions = admin
                .describeTopics(List.of(topics.jobs()))
                .allTopicNames()
                .get(5, TimeUnit.SECONDS)
                .get(topics.jobs())
                .partitions()
                .stream()
                .map(p -> new TopicPartition(topics.jobs(), p.partition()))
                .toList();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
                        partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                .all()
                .get(5, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(
                        partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest())))
                .all()
                .get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(topics.workerGroup())
                .partitionsToOffsetAndMetadata()
                .get(5, TimeUnit.SECONDS);
        long total = 0;
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata done = committed.get(partition);
            long position = done != null ? done.offset() : starts.get(partition).offset();
            total += Math.max(0, ends.get(partition).offset() - position);
        }
        return total;
    }
}
