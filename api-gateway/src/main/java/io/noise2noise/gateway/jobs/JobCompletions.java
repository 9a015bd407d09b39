package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Lets a request wait for its job to finish without holding a thread: a waiter is a future,
 * completed by the results-topic listener. Every gateway replica reads all result events (a
 * consumer group of its own), so whichever replica holds the waiting request hears about it. A
 * result published before this replica's listener joined its partitions is found in the job store:
 * once when the waiter starts, then by one sweep over all waiters every {@code store-check-interval}.
 * Waiters are capped in total and per client ({@link #reserve}).
 */
@Component
public class JobCompletions {

    private static final Logger log = LoggerFactory.getLogger(JobCompletions.class);

    private final JobStore jobs;
    private final JobTopics topics;
    private final GatewayProperties.Waiters caps;
    private final String groupId = "n2n-gateway-" + UUID.randomUUID();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "job-completions-sweep");
        thread.setDaemon(true);
        return thread;
    });

    // guarded by itself; a few thousand entries at most (the caps), so one lock is cheap enough
    private final Map<String, Set<Waiter>> byJob = new HashMap<>();
    private final Map<String, Integer> byClient = new HashMap<>();
    private int total;

    public JobCompletions(JobStore jobs, JobTopics topics, GatewayProperties properties) {
        this.jobs = jobs;
        this.topics = topics;
        this.caps = properties.waiters();
        long interval = caps.storeCheckInterval().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** A place among the waiters, taken before the job is submitted and given up once its answer is known. */
    public final class Waiter {
        private final String client;
        private final CompletableFuture<Optional<Job>> outcome = new CompletableFuture<>();
        private String jobId;
        private boolean released;

        private Waiter(String client) {
            this.client = client;
        }

        /** Gives the place up without waiting (the submission failed, or the request ended). */
        public void release() {
            JobCompletions.this.release(this);
        }
    }

    public String topic() {
        return topics.results();
    }

    public String groupId() {
        return groupId;
    }

    /** Who a waiter counts against: the calling API key, or — with keys off — the client's address. */
    public static String client(String owner, String remoteAddress) {
        return owner != null ? "key:" + owner : "address:" + remoteAddress;
    }

    /** A place among the waiters for {@code client} (an API key id or a client address), or empty over a cap. */
    public Optional<Waiter> reserve(String client) {
        synchronized (byJob) {
            int mine = byClient.getOrDefault(client, 0);
            if (total >= caps.maxTotal() || mine >= caps.maxPerClient()) {
                return Optional.empty();
            }
            total++;
            byClient.put(client, mine + 1);
        }
        return Optional.of(new Waiter(client));
    }

    /**
     * The finished job, or empty if it is still queued or running after {@code timeout}; the
     * waiter's place is given up when the outcome is known. No thread waits meanwhile.
     */
    public CompletableFuture<Optional<Job>> await(Waiter waiter, String jobId, Duration timeout) {
        synchronized (byJob) {
            if (waiter.released) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            waiter.jobId = jobId;
            byJob.computeIfAbsent(jobId, id -> new LinkedHashSet<>()).add(waiter);
        }
        waiter.outcome.whenComplete((job, e) -> release(waiter));
        waiter.outcome.completeOnTimeout(Optional.empty(), timeout.toMillis(), TimeUnit.MILLISECONDS);
        // registered first, then read: a result stored before this line is found here, one after it is heard
        try {
            finishedInStore(jobId).ifPresent(job -> waiter.outcome.complete(Optional.of(job)));
        } catch (RuntimeException e) {
            // never lose the waiter's place over this: the listener and the sweep still cover the job
            log.debug("job {}: record not readable now: {}", jobId, e.toString());
        }
        return waiter.outcome;
    }

    /** Requests waiting now, all clients together. */
    public int waiting() {
        synchronized (byJob) {
            return total;
        }
    }

    @KafkaListener(
            topics = "#{__listener.topic()}",
            groupId = "#{__listener.groupId()}",
            properties = "auto.offset.reset=latest")
    public void onJobEvent(Job job) {
        if (job.status().isTerminal()) {
            finished(job);
        }
    }

    private void finished(Job job) {
        List<Waiter> woken;
        synchronized (byJob) {
            Set<Waiter> waiters = byJob.get(job.id());
            woken = waiters == null ? List.of() : new ArrayList<>(waiters);
        }
        woken.forEach(waiter -> waiter.outcome.complete(Optional.of(job)));
    }

    private void sweep() {
        List<String> waitedFor;
        synchronized (byJob) {
            waitedFor = new ArrayList<>(byJob.keySet());
        }
        for (String jobId : waitedFor) {
            try {
                finishedInStore(jobId).ifPresent(this::finished);
            } catch (RuntimeException e) {
                log.warn("job {}: could not read its record while sweeping waiters: {}", jobId, e.toString());
                return;
            }
        }
    }

    private Optional<Job> finishedInStore(String jobId) {
        return jobs.find(jobId).filter(job -> job.status().isTerminal());
    }

    private void release(Waiter waiter) {
        synchronized (byJob) {
            if (waiter.released) {
                return;
            }
            waiter.released = true;
            total--;
            byClient.computeIfPresent(waiter.client, (client, count) -> count > 1 ? count - 1 : null);
            if (waiter.jobId != null) {
                Set<Waiter> waiters = byJob.get(waiter.jobId);
                if (waiters != null && waiters.remove(waiter) && waiters.isEmpty()) {
                    byJob.remove(waiter.jobId);
                }
            }
        }
    }

    @PreDestroy
    void stop() {
        sweeper.shutdownNow();
    }
}
