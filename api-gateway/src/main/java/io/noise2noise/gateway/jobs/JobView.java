package io.noise2noise.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobStatus;
import java.time.Instant;

/** A job as the API shows it (and as webhooks deliver it): no storage keys, a link to the result. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobView(
        String id,
        JobStatus status,
        String model,
        double strength,
        String inputFormat,
        int width,
        int height,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Double noiseSigma,
        JobError error,
        String resultUrl) {

    public static String location(String jobId) {
        return "/v1/jobs/" + jobId;
    }

    public static JobView of(Job job) {
        return new JobView(job.id(), job.status(), job.model(), job.strength(), job.inputFormat(), job.width(),
                job.height(), job.createdAt(), job.startedAt(), job.completedAt(), job.noiseSigma(), job.error(),
                job.status() == JobStatus.SUCCEEDED ? location(job.id()) + "/result" : null);
    }
}
