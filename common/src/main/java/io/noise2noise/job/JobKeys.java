package io.noise2noise.job;

/** Object keys of a job in the bucket. Deterministic, so a redelivered job overwrites, never duplicates. */
public final class JobKeys {

    private JobKeys() {
    }

    public static String input(String jobId) {
        return prefix(jobId) + "input";
    }

    public static String result(String jobId) {
        return prefix(jobId) + "result";
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
