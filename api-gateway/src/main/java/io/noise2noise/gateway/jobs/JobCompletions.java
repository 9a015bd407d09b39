package io.noise2noise.gateway.jobs;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Lets a request wait for its job to finish. Every gateway replica reads all result events (a
 * consumer group of its own), so whichever replica holds the waiting request hears about it; the
 * job store is checked every second too, so a result published before this replica joined its
 * partitions is not missed.
 */
@Component
public class JobCompletions {

    private static final Duration STORE_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final Map<String, CompletableFuture<Job>> waiting = new ConcurrentHashMap<>();
    private final JobStore jobs;
    private final JobTopics topics;
    private final String groupId = "n2n-gateway-" + UUID.randomUUID();

    public JobCompletions(JobStore jobs, JobTopics topics) {
        this.jobs = jobs;
        this.topics = topics;
    }

    public String topic() {
        return topics.results();
    }

    public String groupId() {
        return groupId;
    }

    @KafkaListener(topics = "#{__listener.topic()}", groupId = "#{__listener.groupId()}",
            properties = "auto.offset.reset=latest")
    public void onJobEvent(Job job) {
        if (!job.status().isTerminal()) {
            return;
        }
        CompletableFuture<Job> future = waiting.get(job.id());
        if (future != null) {
            future.complete(job);
        }
    }

    /** The finished job, or empty if it is still queued or running after {@code timeout}. */
    public Optional<Job> await(String jobId, Duration timeout) {
        CompletableFuture<Job> future = waiting.computeIfAbsent(jobId, id -> new CompletableFuture<>());
        Instant deadline = Instant.now().plus(timeout);
        try {
            while (true) {
                Optional<Job> stored = jobs.find(jobId).filter(job -> job.status().isTerminal());
                if (stored.isPresent()) {
                    return stored;
                }
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative() || left.isZero()) {
                    return Optional.empty();
                }
                try {
                    long wait = Math.min(left.toMillis(), STORE_CHECK_INTERVAL.toMillis());
                    return Optional.of(future.get(wait, TimeUnit.MILLISECONDS));
                } catch (TimeoutException stillRunning) {
                    // check the store, then wait again
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        } finally {
            waiting.remove(jobId, future);
        }
    }
}
