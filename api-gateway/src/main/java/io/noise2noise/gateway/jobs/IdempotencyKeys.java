package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobStore;
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
import org.springframework.stereotype.Component;

/**
 * Client {@code Idempotency-Key}s: the same key with the same request returns the job it created;
 * the same key with a different request is refused (422). Kept in the bucket under a hash of the
 * owner and key, so every gateway replica sees them.
 *
 * <p>A request first claims its key with a conditional create ({@code If-None-Match: *}), so of
 * identical requests racing, exactly one creates a job. The claim is {@code pending} until that job
 * is stored and published; the others wait for it to be confirmed and answer with the same job, or
 * take the key over when the first one failed and released it. Every later change of a claim is
 * conditional on the version read ({@code If-Match}). A claim left pending too long (its gateway died,
 * is slow, or could not confirm it) is confirmed when its job exists, and otherwise taken over with
 * the same job id: a slow first request and its retry then create one job, never two.
 */
@Component
public class IdempotencyKeys {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeys.class);
    private static final String PENDING = "pending";
    private static final String TEXT = "text/plain";
    private static final Duration POLL = Duration.ofMillis(50);
    /** Tries to confirm a claim when another change of it (a stale-claim check) came in between. */
    private static final int CONFIRM_TRIES = 3;

    private final ObjectStore objects;
    private final JobStore jobs;
    private final Duration claimWait;

    public IdempotencyKeys(ObjectStore objects, JobStore jobs, GatewayProperties properties) {
        this.objects = objects;
        this.jobs = jobs;
        // the first request stores the job, then waits at most publishTimeout for Kafka
        this.claimWait = properties.publishTimeout().plusSeconds(5);
    }

    /**
     * @param jobId   the job the key stands for
     * @param earlier true: an identical earlier request created it (answer with it); false: the caller
     *                owns the key and must create the job with this id, then {@link #confirm} or {@link #release}
     */
    public record Claim(String jobId, boolean earlier) {}

    /** Claims the submission's key, for {@code newJobId} unless an earlier identical request holds it. */
    public Claim claim(JobSubmissions.Submission submission, String newJobId) {
        if (submission.idempotencyKey() == null) {
            return new Claim(newJobId, false);
        }
        String key = objectKey(submission);
        String hash = requestHash(submission);
        Instant deadline = Instant.now().plus(claimWait);
        while (true) {
            if (objects.putIfAbsent(key, content(newJobId, hash, Instant.now()), TEXT)) {
                return new Claim(newJobId, false);
            }
            Optional<ObjectStore.VersionedObject> stored = objects.getVersioned(key);
            if (stored.isPresent()) {
                StoredClaim held = StoredClaim.parse(stored.get().data());
                if (!held.hash().equals(hash)) {
                    throw new RequestRefusedException(
                            Reason.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key was already used with a different request");
                }
                if (held.claimedAt() == null) {
                    return new Claim(held.jobId(), true);
                }
                if (held.claimedAt().plus(claimWait.multipliedBy(2)).isBefore(Instant.now())) {
                    Optional<Claim> settled =
                            settleStale(key, held, stored.get().etag());
                    if (settled.isPresent()) {
                        return settled.get();
                    }
                    continue;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new RequestRefusedException(
                        Reason.IDEMPOTENCY_KEY_IN_USE,
                        "a request with this Idempotency-Key is still being processed; try again later");
            }
            sleep();
        }
    }

    /**
     * A claim pending for longer than its request can take: its job exists (its gateway could not
     * confirm it, or died after storing it), so it is confirmed; or it does not (yet), so this request
     * takes the claim over for the same job id. Empty: another request changed the claim first.
     */
    private Optional<Claim> settleStale(String key, StoredClaim held, String etag) {
        if (jobs.find(held.jobId()).isPresent()) {
            objects.replaceIfMatch(key, content(held.jobId(), held.hash(), null), TEXT, etag);
            return Optional.of(new Claim(held.jobId(), true));
        }
        if (objects.replaceIfMatch(key, content(held.jobId(), held.hash(), Instant.now()), TEXT, etag)
                .isPresent()) {
            log.info("job {}: took over its stale Idempotency-Key claim", held.jobId());
            return Optional.of(new Claim(held.jobId(), false));
        }
        return Optional.empty();
    }

    /**
     * The claimed job is stored and published: identical requests may now be answered with it. Should
     * this fail, the claim stays pending and is confirmed by the first identical request after it is stale.
     */
    public void confirm(JobSubmissions.Submission submission, String jobId) {
        if (submission.idempotencyKey() == null) {
            return;
        }
        String key = objectKey(submission);
        try {
            for (int tries = 0; tries < CONFIRM_TRIES; tries++) {
                Optional<ObjectStore.VersionedObject> stored = objects.getVersioned(key);
                if (stored.isEmpty() || !StoredClaim.parse(stored.get().data()).pendingFor(jobId)) {
                    return;
                }
                if (objects.replaceIfMatch(
                                key,
                                content(jobId, requestHash(submission), null),
                                TEXT,
                                stored.get().etag())
                        .isPresent()) {
                    return;
                }
            }
            log.warn("job {}: could not confirm its Idempotency-Key: it kept changing", jobId);
        } catch (StorageUnavailableException e) {
            log.warn("job {}: could not confirm its Idempotency-Key: {}", jobId, e.getMessage());
        }
    }

    /** The claimed job could not be created: the key is free for the next identical request. */
    public void release(JobSubmissions.Submission submission, String jobId) {
        if (submission.idempotencyKey() == null) {
            return;
        }
        String key = objectKey(submission);
        try {
            // only while it is still this request's pending claim (S3 has no conditional delete everywhere)
            if (objects.get(key)
                    .map(object -> StoredClaim.parse(object.data()).pendingFor(jobId))
                    .orElse(false)) {
                objects.delete(key);
            }
        } catch (StorageUnavailableException e) {
            log.warn("could not release an Idempotency-Key: {}", e.getMessage());
        }
    }

    /** A stored claim: {@code jobId \n requestHash}, and {@code \n pending \n claimedAtMillis} until confirmed. */
    private record StoredClaim(String jobId, String hash, Instant claimedAt) {

        static StoredClaim parse(byte[] data) {
            String[] lines = new String(data, StandardCharsets.UTF_8).split("\n");
            boolean pending = lines.length > 3 && PENDING.equals(lines[2]);
            return new StoredClaim(lines[0], lines[1], pending ? Instant.ofEpochMilli(Long.parseLong(lines[3])) : null);
        }

        boolean pendingFor(String job) {
            return claimedAt != null && jobId.equals(job);
        }
    }

    private static byte[] content(String jobId, String hash, Instant claimedAt) {
        String claim = claimedAt == null ? "" : "\n" + PENDING + "\n" + claimedAt.toEpochMilli();
        return (jobId + "\n" + hash + claim).getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RequestRefusedException(Reason.INTERRUPTED, "interrupted");
        }
    }

    private static String objectKey(JobSubmissions.Submission submission) {
        return JobKeys.idempotencyClaim(submission.spec().owner(), submission.idempotencyKey());
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
}
