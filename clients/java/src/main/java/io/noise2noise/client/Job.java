package io.noise2noise.client;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A job as {@code GET /v1/jobs/{id}} shows it (docs/api.md, "The job"). Members the gateway omitted
 * are null (empty for collections).
 *
 * @param model              the model asked for (null: the default)
 * @param modelUsed          the model that ran
 * @param modelReason        why that model ran, when the worker chose it ({@code auto})
 * @param noiseSigma         the input's estimated noise σ on 0–255
 * @param error              why a job did not succeed
 * @param resultUrl          the result's path on the gateway, once succeeded
 * @param resultDownloadUrl  a short-lived presigned storage URL of the result
 * @param resultExpired      the result has expired from storage
 */
public record Job(
        String id,
        JobStatus status,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Instant cancelAfter,
        Long queueDelayMs,
        Long executionTimeMs,
        Progress progress,
        String model,
        String modelUsed,
        String modelReason,
        Double strength,
        String format,
        Double quality,
        String inputFormat,
        Integer width,
        Integer height,
        Double noiseSigma,
        Error error,
        String webhook,
        List<String> webhookEventsFilter,
        Map<String, String> metadata,
        String retryOf,
        String resultUrl,
        URI resultDownloadUrl,
        boolean resultExpired) {

    static final List<String> FIELDS = List.of(
            "id",
            "status",
            "created_at",
            "started_at",
            "completed_at",
            "cancel_after",
            "queue_delay_ms",
            "execution_time_ms",
            "progress",
            "progress.done",
            "progress.total",
            "model",
            "model_used",
            "model_reason",
            "strength",
            "format",
            "quality",
            "input_format",
            "width",
            "height",
            "noise_sigma",
            "error",
            "error.code",
            "error.message",
            "webhook",
            "webhook_events_filter",
            "metadata",
            "retry_of",
            "result_url",
            "result_download_url",
            "result_expired");

    public Job {
        webhookEventsFilter = List.copyOf(webhookEventsFilter);
        metadata = Map.copyOf(metadata);
    }

    /** Tiles done of all, while the worker reports them. */
    public record Progress(int done, int total) {}

    /**
     * Why the job did not succeed.
     *
     * @param code     {@code invalid_image}, {@code unknown_model}, {@code canceled}, {@code expired}, ...
     * @param message  for people
     */
    public record Error(String code, String message) {}

    static Job read(JsonFields job) {
        JsonFields progress = job.object("progress");
        JsonFields error = job.object("error");
        return new Job(
                job.requiredText("id"),
                JobStatus.fromWire(job.requiredText("status")),
                job.instant("created_at"),
                job.instant("started_at"),
                job.instant("completed_at"),
                job.instant("cancel_after"),
                job.longValue("queue_delay_ms"),
                job.longValue("execution_time_ms"),
                progress == null ? null : new Progress(progress.integer("done"), progress.integer("total")),
                job.text("model"),
                job.text("model_used"),
                job.text("model_reason"),
                job.decimal("strength"),
                job.text("format"),
                job.decimal("quality"),
                job.text("input_format"),
                job.integer("width"),
                job.integer("height"),
                job.decimal("noise_sigma"),
                error == null ? null : new Error(error.text("code"), error.text("message")),
                job.text("webhook"),
                job.texts("webhook_events_filter"),
                job.textMap("metadata"),
                job.text("retry_of"),
                job.text("result_url"),
                job.uri("result_download_url"),
                job.flag("result_expired"));
    }
}
