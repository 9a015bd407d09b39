package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.ObjectStore;
import java.time.Clock;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Service;

/**
 * The bound on a caller's unfinished jobs ({@link GatewayProperties.Quotas#maxUnfinishedJobs}). Each
 * job leaves a marker under its owner's prefix ({@link JobKeys#unfinishedJob}); nothing has to remove
 * it when the job ends, but the gateways (one of them: a shared consumer group) delete it when they
 * read the job's end on the results topic, so a caller's listing stays about as long as its truly
 * unfinished jobs; a marker that event missed is checked against the job record when its caller is
 * at its bound, and deleted if the job has finished.
 */
@Service
public class UnfinishedJobs {

    private static final byte[] NOTHING = new byte[0];

    private final ObjectStore objects;
    private final JobStore jobs;
    private final JobTopics topics;
    private final GatewayProperties.Quotas quotas;
    private final Clock clock = Clock.systemUTC();

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
    @KafkaListener(topics = "#{__listener.topic()}", groupId = "n2n-gateway-quotas",
            properties = "auto.offset.reset=latest")
    public void onJobEvent(Job job) {
        if (job.status().isTerminal()) {
            objects.delete(JobKeys.unfinishedJob(job.spec().owner(), job.id()));
        }
    }

    /** Counts {@code jobId} against its owner's bound (null: anonymous), or refuses it with 429. */
    public void reserve(String owner, String jobId) {
        if (QuotaCount.reached(objects.list(JobKeys.unfinishedJobs(owner)), quotas.maxUnfinishedJobs(),
                this::deleteIfFinished)) {
            throw new RequestRefusedException(Reason.QUOTA_REACHED, "the caller has " + quotas.maxUnfinishedJobs()
                    + " unfinished jobs (n2n.gateway.quotas.max-unfinished-jobs); wait for some to finish",
                    quotas.retryAfter());
        }
        objects.put(JobKeys.unfinishedJob(owner, jobId), NOTHING, "application/octet-stream");
    }

    private boolean deleteIfFinished(String marker) {
        boolean finished = jobs.find(JobKeys.idOf(marker))
                .map(job -> job.asOf(clock.instant()).status().isTerminal()).orElse(true);
        if (finished) {
            objects.delete(marker);
        }
        return finished;
    }
}
