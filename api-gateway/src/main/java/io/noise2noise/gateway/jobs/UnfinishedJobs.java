package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import java.time.Clock;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The bound on a caller's unfinished jobs ({@link GatewayProperties.Quotas#maxUnfinishedJobs}). Each
 * job leaves a marker under its owner's prefix ({@link JobKeys#unfinishedJob}); nothing has to remove
 * it when the job ends: a caller at its bound has its markers checked against the job records, and
 * those of finished or vanished jobs are deleted before it is refused.
 */
@Service
public class UnfinishedJobs {

    private static final byte[] NOTHING = new byte[0];

    private final ObjectStore objects;
    private final JobStore jobs;
    private final GatewayProperties.Quotas quotas;
    private final Clock clock = Clock.systemUTC();

    public UnfinishedJobs(ObjectStore objects, JobStore jobs, GatewayProperties properties) {
        this.objects = objects;
        this.jobs = jobs;
        this.quotas = properties.quotas();
    }

    /** Counts {@code jobId} against its owner's bound (null: anonymous), or refuses it with 429. */
    public void reserve(String owner, String jobId) {
        if (QuotaCount.reached(objects.list(JobKeys.unfinishedJobs(owner)), quotas.maxUnfinishedJobs(),
                this::deleteIfFinished)) {
            throw new SubmissionException(HttpStatus.TOO_MANY_REQUESTS, "the caller has " + quotas.maxUnfinishedJobs()
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
