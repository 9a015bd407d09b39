package io.noise2noise.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The job record: stored as JSON at {@link JobKeys#record(String)} and published on the results
 * topic when the job ends. It carries references to objects, never image bytes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Job(
        String id,
        JobStatus status,
        String model,
        double strength,
        String inputFormat,
        int width,
        int height,
        String webhook,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        String resultKey,
        String resultContentType,
        Double noiseSigma,
        JobError error) {

    public static Job queued(String id, String model, double strength, String inputFormat, int width, int height,
                             String webhook, Instant now) {
        return new Job(id, JobStatus.QUEUED, model, strength, inputFormat, width, height, webhook, now,
                null, null, null, null, null, null);
    }

    public Job running(Instant now) {
        return new Job(id, JobStatus.RUNNING, model, strength, inputFormat, width, height, webhook, createdAt,
                now, null, null, null, null, null);
    }

    public Job succeeded(String resultKey, String resultContentType, double noiseSigma, Instant now) {
        return new Job(id, JobStatus.SUCCEEDED, model, strength, inputFormat, width, height, webhook, createdAt,
                startedAt, now, resultKey, resultContentType, noiseSigma, null);
    }

    public Job failed(JobError error, Instant now) {
        return new Job(id, JobStatus.FAILED, model, strength, inputFormat, width, height, webhook, createdAt,
                startedAt, now, null, null, null, error);
    }
}
