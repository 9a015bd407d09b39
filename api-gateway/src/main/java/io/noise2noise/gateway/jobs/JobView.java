package io.noise2noise.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.noise2noise.gateway.webhooks.WebhookDeliveries;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.WebhookEvent;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job as the API shows it (and as webhooks deliver it): no storage keys, a link to the result.
 * A queued job past its deadline shows as expired: no worker will run it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JobView(
        String id,
        JobStatus status,
        String model,

        @Schema(
                description =
                        "The model that ran: the one named, or the worker's choice when the job named none or auto")
        String modelUsed,

        @Schema(
                description = "Why the worker chose model_used, with the measurements it rests on (jobs naming"
                        + " no model or auto); absent when the job named its model")
        String modelReason,

        double strength,
        String format,
        Float quality,
        String inputFormat,
        int width,
        int height,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Instant cancelAfter,
        Long queueDelayMs,
        Long executionTimeMs,
        Job.Progress progress,
        Double noiseSigma,
        JobError error,
        String webhook,
        Set<WebhookEvent> webhookEventsFilter,
        List<WebhookDeliveries.Delivery> webhookDeliveries,
        String retryOf,
        Map<String, String> metadata,
        String resultUrl,
        URI resultDownloadUrl,
        Boolean resultExpired) {

    public static String location(String jobId) {
        return "/v1/jobs/" + jobId;
    }

    public static JobView of(Job job) {
        return of(job, null);
    }

    public static JobView of(Job job, List<WebhookDeliveries.Delivery> deliveries) {
        return of(job, deliveries, null);
    }

    public static JobView of(Job job, List<WebhookDeliveries.Delivery> deliveries, URI resultDownloadUrl) {
        return of(job, deliveries, resultDownloadUrl, false);
    }

    /**
     * @param deliveries         webhook delivery records to show, or null
     * @param resultDownloadUrl  a short-lived presigned URL of the result, or null
     * @param resultExpired      the job succeeded but its result has expired from storage: no links to it
     */
    public static JobView of(
            Job stored, List<WebhookDeliveries.Delivery> deliveries, URI resultDownloadUrl, boolean resultExpired) {
        Job job = stored.asOf(Instant.now());
        boolean hasResult = job.status() == JobStatus.SUCCEEDED && !resultExpired;
        return new JobView(
                job.id(),
                job.status(),
                job.spec().model(),
                job.modelUsed(),
                job.modelReason(),
                job.spec().strength(),
                job.spec().format(),
                job.spec().quality(),
                job.inputFormat(),
                job.width(),
                job.height(),
                job.createdAt(),
                job.startedAt(),
                job.completedAt(),
                job.spec().cancelAfter(),
                millis(job.queueDelay()),
                millis(job.executionTime()),
                job.progress(),
                job.noiseSigma(),
                job.error(),
                job.spec().webhook(),
                job.spec().webhook() == null ? null : job.spec().webhookEvents(),
                deliveries == null || deliveries.isEmpty() ? null : deliveries,
                job.spec().retryOf(),
                job.spec().metadata(),
                hasResult ? location(job.id()) + "/result" : null,
                hasResult ? resultDownloadUrl : null,
                resultExpired ? Boolean.TRUE : null);
    }

    private static Long millis(Duration duration) {
        return duration == null ? null : duration.toMillis();
    }
}
