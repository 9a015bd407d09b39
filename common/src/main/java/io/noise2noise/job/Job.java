package io.noise2noise.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The job record: stored as JSON at {@link JobKeys#record(String)}, published on the results topic
 * when a job starts and when it ends. It carries references to objects, never image bytes.
 *
 * @param inputFormat   the input's format name (png, jpeg, ...), its width and height in pixels
 * @param progress      tiles done of tiles total while running, null before
 * @param modelUsed     the model that ran: the one named, or the worker's choice (model {@code auto}, the
 *                      default) or its default model when the client named none
 * @param modelReason   why the worker chose that model, when it chose (short, fit for the client); null otherwise
 * @param noiseSigma    the input's estimated noise standard deviation on the 0–255 scale
 * @param resultKey     the stored result of the attempt that succeeded ({@link JobKeys#result(String, int)})
 * @param attempt       the run a worker started last (1, 2, ... on redelivery), null before the first:
 *                      only that run may record progress or end the job
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Job(
        String id,
        JobStatus status,
        JobSpec spec,
        String inputFormat,
        int width,
        int height,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Progress progress,
        String modelUsed,
        String modelReason,
        String resultKey,
        String resultContentType,
        Double noiseSigma,
        JobError error,
        Integer attempt) {

    public record Progress(int done, int total) {}

    public static Job queued(String id, JobSpec spec, String inputFormat, int width, int height, Instant now) {
        return new Job(
                id,
                JobStatus.QUEUED,
                spec,
                inputFormat,
                width,
                height,
                now,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** A new run of the job: the next attempt, with nothing of an earlier run's progress. */
    public Job running(Instant now) {
        return new Job(
                id,
                JobStatus.RUNNING,
                spec,
                inputFormat,
                width,
                height,
                createdAt,
                now,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                attempt == null ? 1 : attempt + 1);
    }

    /** Progress of the run with {@code model}, which the client named. */
    public Job withProgress(String model, int done, int total) {
        return withProgress(model, null, done, total);
    }

    /** Progress of the run with {@code model}; {@code modelReason}: why the worker chose it, or null. */
    public Job withProgress(String model, String modelReason, int done, int total) {
        return new Job(
                id,
                status,
                spec,
                inputFormat,
                width,
                height,
                createdAt,
                startedAt,
                completedAt,
                new Progress(done, total),
                model,
                modelReason,
                resultKey,
                resultContentType,
                noiseSigma,
                error,
                attempt);
    }

    public Job succeeded(String resultKey, String resultContentType, double noiseSigma, Instant now) {
        return new Job(
                id,
                JobStatus.SUCCEEDED,
                spec,
                inputFormat,
                width,
                height,
                createdAt,
                startedAt,
                now,
                progress,
                modelUsed,
                modelReason,
                resultKey,
                resultContentType,
                noiseSigma,
                null,
                attempt);
    }

    public Job failed(JobError error, Instant now) {
        return ended(JobStatus.FAILED, error, now);
    }

    public Job canceled(String reason, Instant now) {
        return ended(JobStatus.CANCELED, new JobError(JobError.CANCELED, reason), now);
    }

    public Job expired(Instant now) {
        return ended(
                JobStatus.EXPIRED,
                new JobError(JobError.EXPIRED, "not started before its deadline " + spec.cancelAfter()),
                now);
    }

    /** True when {@code other} is the same run of this job (both before any run, or the same attempt). */
    public boolean sameAttemptAs(Job other) {
        return Objects.equals(attempt, other.attempt);
    }

    /**
     * The job as it stands at {@code now}: a queued job past its deadline is expired at the deadline,
     * as the worker that reaches it will record it (another partition may keep it waiting until then).
     */
    public Job asOf(Instant now) {
        return status == JobStatus.QUEUED && pastDeadline(now) ? expired(spec.cancelAfter()) : this;
    }

    /** True once the client's deadline has passed. */
    public boolean pastDeadline(Instant now) {
        return spec.cancelAfter() != null && now.isAfter(spec.cancelAfter());
    }

    /** Time from submission to a worker starting it; null until started. */
    public Duration queueDelay() {
        return startedAt == null ? null : Duration.between(createdAt, startedAt);
    }

    /** Time a worker spent on it; null until it ended after starting. */
    public Duration executionTime() {
        return startedAt == null || completedAt == null ? null : Duration.between(startedAt, completedAt);
    }

    private Job ended(JobStatus terminal, JobError why, Instant now) {
        return new Job(
                id,
                terminal,
                spec,
                inputFormat,
                width,
                height,
                createdAt,
                startedAt,
                now,
                progress,
                modelUsed,
                modelReason,
                null,
                null,
                noiseSigma,
                why,
                attempt);
    }
}
