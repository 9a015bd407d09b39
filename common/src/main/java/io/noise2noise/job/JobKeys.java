package io.noise2noise.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Object keys of a job in the bucket. Deterministic, so a redelivered job overwrites, never duplicates;
 * each run (attempt) writes its result under a key of its own, and the job record names the one that won.
 */
public final class JobKeys {

    private JobKeys() {}

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
        return UPLOADS + uploadId;
    }

    /** Every upload and upload slot lies under this prefix, which an S3 lifecycle rule always expires. */
    public static final String UPLOADS = "uploads/";

    /**
     * The slot of an upload: who created it and until when ({@link #upload} is the file itself). Keyed
     * by owner, so a caller finds only its own slots, and counting them is one listing.
     */
    public static String uploadSlot(String owner, String uploadId) {
        return uploadSlots(owner) + checked(uploadId, "upload");
    }

    /** The slots of one owner's open uploads ({@code null}: the anonymous caller when API keys are off). */
    public static String uploadSlots(String owner) {
        return UPLOADS + "slots/" + ownerTag(owner) + "/";
    }

    /** Every owner's upload slots. */
    public static String allUploadSlots() {
        return UPLOADS + "slots/";
    }

    /**
     * A marker per job its owner created and that may not have finished yet; it counts against the
     * owner's quota of unfinished jobs until a check finds the job finished or gone and removes it.
     */
    public static String unfinishedJob(String owner, String jobId) {
        return unfinishedJobs(owner) + checked(jobId, "job");
    }

    public static String unfinishedJobs(String owner) {
        return "owners/" + ownerTag(owner) + "/unfinished/";
    }

    /**
     * The claim of a client's {@code Idempotency-Key} ({@code null} owner: the anonymous caller), under a
     * hash of owner and key: keys are free text, and one owner's key must never find another's claim.
     */
    public static String idempotencyClaim(String owner, String idempotencyKey) {
        return "idempotency/" + sha256((owner == null ? "" : owner) + "\n" + idempotencyKey);
    }

    /** The job or upload id at the end of a key made by {@link #uploadSlot} or {@link #unfinishedJob}. */
    public static String idOf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** API key ids are free text: hex keeps them one path segment; "-" is no hex, so never an id's tag. */
    private static String ownerTag(String owner) {
        return owner == null ? "-" : HexFormat.of().formatHex(owner.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String checked(String id, String what) {
        if (!JobIds.isWellFormed(id)) {
            throw new IllegalArgumentException("not a " + what + " id: " + id);
        }
        return id;
    }

    private static String prefix(String jobId) {
        if (!JobIds.isWellFormed(jobId)) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return "jobs/" + jobId + "/";
    }
}
