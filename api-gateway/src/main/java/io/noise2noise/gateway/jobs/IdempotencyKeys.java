package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.StorageUnavailableException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Client {@code Idempotency-Key}s: the same key with the same request returns the job it created;
 * the same key with a different request is refused (422). Kept in the bucket under a hash of the
 * owner and key, so every gateway replica sees them.
 *
 * <p>A request first claims its key with a conditional create ({@code If-None-Match: *}), so of
 * identical requests racing, exactly one creates a job. The claim is {@code pending} until that job
 * is stored and published; the others wait for it to be confirmed and answer with the same job, or
 * take the key over when the first one failed and released it.
 */
@Component
public class IdempotencyKeys {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeys.class);
    private static final String PENDING = "pending";
    private static final Duration POLL = Duration.ofMillis(50);

    private final ObjectStore objects;
    private final Duration claimWait;

    public IdempotencyKeys(ObjectStore objects, GatewayProperties properties) {
        this.objects = objects;
        // the first request stores the job, then waits at most publishTimeout for Kafka
        this.claimWait = properties.publishTimeout().plusSeconds(5);
    }

    /**
     * Claims the submission's key for {@code jobId}. Empty: the caller owns the key and must create
     * the job, then {@link #confirm} or {@link #release}. Present: the job an identical earlier
     * request created.
     */
    public Optional<String> claim(JobSubmissions.Submission submission, String jobId) {
        if (submission.idempotencyKey() == null) {
            return Optional.empty();
        }
        String key = objectKey(submission);
        String hash = requestHash(submission);
        Instant deadline = Instant.now().plus(claimWait);
        while (true) {
            if (objects.putIfAbsent(key, content(jobId, hash, Instant.now()), "text/plain")) {
                return Optional.empty();
            }
            Optional<String[]> stored = objects.get(key)
                    .map(object -> new String(object.data(), StandardCharsets.UTF_8).split("\n"));
            if (stored.isPresent()) {
                if (!stored.get()[1].equals(hash)) {
                    throw new SubmissionException(HttpStatus.UNPROCESSABLE_ENTITY,
                            "Idempotency-Key was already used with a different request");
                }
                boolean pending = stored.get().length > 3 && PENDING.equals(stored.get()[2]);
                if (!pending) {
                    return Optional.of(stored.get()[0]);
                }
                Instant claimedAt = Instant.ofEpochMilli(Long.parseLong(stored.get()[3]));
                if (claimedAt.plus(claimWait.multipliedBy(2)).isBefore(Instant.now())) {
                    // its gateway died before confirming or releasing it: free the key
                    objects.delete(key);
                    continue;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new SubmissionException(HttpStatus.CONFLICT,
                        "a request with this Idempotency-Key is still being processed; try again later");
            }
            sleep();
        }
    }

    /** The claimed job is stored and published: identical requests may now be answered with it. */
    public void confirm(JobSubmissions.Submission submission, String jobId) {
        if (submission.idempotencyKey() == null) {
            return;
        }
        try {
            objects.put(objectKey(submission), content(jobId, requestHash(submission), null), "text/plain");
        } catch (StorageUnavailableException e) {
            // the job exists and its client gets it; a retry with this key waits, then gets 409
            log.warn("job {}: could not confirm its Idempotency-Key: {}", jobId, e.getMessage());
        }
    }

    /** The claimed job could not be created: the key is free for the next identical request. */
    public void release(JobSubmissions.Submission submission) {
        if (submission.idempotencyKey() == null) {
            return;
        }
        try {
            objects.delete(objectKey(submission));
        } catch (StorageUnavailableException e) {
            log.warn("could not release an Idempotency-Key: {}", e.getMessage());
        }
    }

    /** {@code jobId \n requestHash}, and {@code \n pending \n claimedAtMillis} until confirmed. */
    private static byte[] content(String jobId, String hash, Instant claimedAt) {
        String claim = claimedAt == null ? "" : "\n" + PENDING + "\n" + claimedAt.toEpochMilli();
        return (jobId + "\n" + hash + claim).getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SubmissionException(HttpStatus.SERVICE_UNAVAILABLE, "interrupted");
        }
    }

    private static String objectKey(JobSubmissions.Submission submission) {
        String owner = submission.spec().owner() == null ? "" : submission.spec().owner();
        return "idempotency/" + sha256(owner + "\n" + submission.idempotencyKey());
    }

    private static String requestHash(JobSubmissions.Submission submission) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(submission.image());
            digest.update(submission.spec().withoutDeadline().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
