package io.noise2noise.job;

/**
 * Object keys of a job in the bucket. Deterministic, so a redelivered job overwrites, never duplicates;
 * each run (attempt) writes its result under a key of its own, and the job record names the one that won.
 */
public final class JobKeys {

    private JobKeys() {
    }

    public static String input(String jobId) {
        return prefix(jobId) + "input";
    }

    /**
     * The result of run {@code attempt} of a job: a run that lost the job (redelivered while it still
     * ran) can never overwrite the result of the run that succeeded. Records written before attempts
     * existed name {@code jobs/{id}/result}.
     */
    public static String result(String jobId, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1: " + attempt);
        }
        return prefix(jobId) + "attempts/" + attempt + "/result";
    }

    public static String record(String jobId) {
        return prefix(jobId) + "job.json";
    }

    /** Present once a client asked to cancel; the worker running the job looks for it between tiles. */
    public static String cancelRequest(String jobId) {
        return prefix(jobId) + "cancel";
    }

    /** The record of webhook deliveries of one event of a job. */
    public static String webhookDeliveries(String jobId, WebhookEvent event) {
        return prefix(jobId) + "webhooks/" + event.wireName() + ".json";
    }

    /** Where a client's presigned upload lands, before a job takes it. */
    public static String upload(String uploadId) {
        if (!JobIds.isWellFormed(uploadId)) {
            throw new IllegalArgumentException("not an upload id: " + uploadId);
        }
        return "uploads/" + uploadId;
    }

    private static String prefix(String jobId) {
        if (!JobIds.isWellFormed(jobId)) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return "jobs/" + jobId + "/";
    }
}
