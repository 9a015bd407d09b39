package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.ObjectStore;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Service;

/**
 * The bound on a caller's unfinished jobs ({@link GatewayProperties.Quotas#maxUnfinishedJobs}). Each
 * job leaves a marker under its owner's prefix ({@link JobKeys#unfinishedJob}); nothing has to remove
 * it when the job ends, but the gateways (one of them: a shared consumer group) delete it when they
 * read the job's end on the results topic, so a caller's listing stays about as long as its truly
 * unfinished jobs; a marker that event missed is checked against the job record when its caller is
 * at its bound, and deleted if the job has finished.
 * <p>
 * Listing the markers on every submission made the LIST the dearest step of accepting a job. A
 * caller's count is listed at most once per {@code recount-interval} while it is under half its
 * bound, and on every submission above that; in between, this replica adds what it accepted. So
 * the bound holds exactly near it, and far from it other replicas' jobs are seen a moment later.
 * Under half the bound, one recount at a time runs and the submissions go on with the count as it
 * was: when the interval ran out under 16 concurrent clients, each of them listed the (by then long)
 * prefix at once, and the LISTs took most of the time of accepting a job. The first count of a
 * caller is made by a submission (one; the others go on); later recounts run in the background
 * and list no more than half the bound, as only reaching it matters: with a backlog of thousands
 * the submission that recounted waited seconds for its LIST (max 8.9 s among 5 178 at 250/s).
 */
@Service
public class UnfinishedJobs {

    private static final Logger log = LoggerFactory.getLogger(UnfinishedJobs.class);
    private static final byte[] NOTHING = new byte[0];
    /** Keys the count of anonymous callers (owner null), who share one bound. */
    private static final String ANONYMOUS = "";

    private final ObjectStore objects;
    private final JobStore jobs;
    private final JobTopics topics;
    private final GatewayProperties.Quotas quotas;
    private final Clock clock = Clock.systemUTC();
    // one entry per owner: the API keys configured, and the anonymous callers
    private final Map<String, Count> counts = new ConcurrentHashMap<>();
    private final ExecutorService recounts = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "quota-recount");
        thread.setDaemon(true);
        return thread;
    });

    public UnfinishedJobs(ObjectStore objects, JobStore jobs, JobTopics topics, GatewayProperties properties) {
        this.objects = objects;
        this.topics = topics;
        this.jobs = jobs;
        this.quotas = properties.quotas();
    }

    public String topic() {
        return topics.results();
    }

    /** Only events from now on: markers of jobs that ended earlier are found when their caller is at its bound. */
    @KafkaListener(
            topics = "#{__listener.topic()}",
            groupId = "n2n-gateway-quotas",
            properties = "auto.offset.reset=latest")
    public void onJobEvent(Job job) {
        if (job.status().isTerminal()) {
            objects.delete(JobKeys.unfinishedJob(job.spec().owner(), job.id()));
        }
    }

    /** Counts {@code jobId} against its owner's bound (null: anonymous), or refuses it with 429. */
    public void reserve(String owner, String jobId) {
        Count count = counts.computeIfAbsent(Objects.requireNonNullElse(owner, ANONYMOUS), key -> new Count());
        Instant now = clock.instant();
        switch (count.next(quotas.maxUnfinishedJobs(), quotas.recountInterval(), now)) {
            case LIST -> list(owner, count, now);
            case FIRST_COUNT -> recount(owner, count, now);
            case RECOUNT ->
                recounts.execute(() -> {
                    try {
                        recount(owner, count, now);
                    } catch (RuntimeException e) {
                        log.warn(
                                "could not recount the unfinished jobs of a caller (keeping {}): {}",
                                count,
                                e.toString());
                    }
                });
            default -> {} // USE_COUNT: the count as it is
        }
        objects.put(JobKeys.unfinishedJob(owner, jobId), NOTHING, "application/octet-stream");
        count.added();
    }

    @PreDestroy
    void stop() {
        recounts.shutdownNow();
    }

    /**
     * Counts the caller's markers up to half its bound ({@link Count#next} lists them all from there),
     * and lets the next recount come, whether this one succeeded or not.
     */
    private void recount(String owner, Count count, Instant listedAt) {
        try {
            int half = (quotas.maxUnfinishedJobs() + 1) / 2;
            count.listed(objects.list(JobKeys.unfinishedJobs(owner), null, half).size(), listedAt);
        } finally {
            count.recounted();
        }
    }

    /** Lists the caller's markers into {@code count}, and refuses the submission at the bound. */
    private void list(String owner, Count count, Instant listedAt) {
        var markers = objects.list(JobKeys.unfinishedJobs(owner));
        boolean reached = QuotaCount.reached(markers, quotas.maxUnfinishedJobs(), this::deleteIfFinished);
        count.listed(markers.size(), listedAt);
        if (reached) {
            throw new RequestRefusedException(
                    Reason.QUOTA_REACHED,
                    "the caller has " + quotas.maxUnfinishedJobs()
                            + " unfinished jobs (n2n.gateway.quotas.max-unfinished-jobs); wait for some to finish",
                    quotas.retryAfter());
        }
    }

    private boolean deleteIfFinished(String marker) {
        boolean finished = jobs.find(JobKeys.idOf(marker))
                .map(job -> job.asOf(clock.instant()).status().isTerminal())
                .orElse(true);
        if (finished) {
            objects.delete(marker);
        }
        return finished;
    }

    /**
     * What a submission does about the count: use it, list (near the bound), count it first (the one
     * doing so), or have it recounted in the background.
     */
    private enum Step {
        USE_COUNT,
        LIST,
        FIRST_COUNT,
        RECOUNT
    }

    /** A caller's unfinished jobs as last listed, plus those this replica accepted since. */
    private static final class Count {
        private int held;
        private Instant listedAt = Instant.EPOCH;
        private boolean recounting;

        synchronized Step next(int bound, Duration recountInterval, Instant now) {
            if (2 * held >= bound) {
                return Step.LIST;
            }
            if (recounting || Duration.between(listedAt, now).compareTo(recountInterval) < 0) {
                return Step.USE_COUNT;
            }
            recounting = true;
            return listedAt.equals(Instant.EPOCH) ? Step.FIRST_COUNT : Step.RECOUNT;
        }

        synchronized void listed(int markers, Instant at) {
            held = markers;
            listedAt = at;
        }

        synchronized void recounted() {
            recounting = false;
        }

        synchronized void added() {
            held++;
        }

        @Override
        public synchronized String toString() {
            return String.valueOf(held);
        }
    }
}
