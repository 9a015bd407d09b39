package io.noise2noise.gateway.jobs;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Deleting a job: a queued or running one is canceled first ({@link JobCancellations#end}), then
 * its record and index entry are removed, then every other object of it (input, results, cancel
 * request, webhook deliveries) and its quota marker.
 * <p>
 * The record goes first: from then on the job is unknown (a second delete is a 404), and a worker
 * still running it can no longer record anything, as each of its writes is conditional on the
 * record's version, so it drops a result it stored. A result it stored before that is listed and
 * removed with the rest. A delete cut short after the record leaves objects only until the
 * bucket's retention expires them; the quota marker and index entry of a job without a record are
 * removed when they are next read.
 */
@Service
public class JobDeletions {

    private static final Logger log = LoggerFactory.getLogger(JobDeletions.class);

    private final JobCancellations cancellations;
    private final JobStore jobs;
    private final ObjectStore objects;

    public JobDeletions(JobCancellations cancellations, JobStore jobs, ObjectStore objects) {
        this.cancellations = cancellations;
        this.jobs = jobs;
        this.objects = objects;
    }

    public void delete(Job stored) {
        Job ended = cancellations.end(stored);
        jobs.delete(ended);
        for (String key : objects.list(JobKeys.jobObjects(ended.id()))) {
            objects.delete(key);
        }
        objects.delete(JobKeys.unfinishedJob(ended.spec().owner(), ended.id()));
        log.info("job {} deleted ({} when deleted)", ended.id(), ended.status().wireName());
    }
}
