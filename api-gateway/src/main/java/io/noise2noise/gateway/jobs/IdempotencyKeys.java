package io.noise2noise.gateway.jobs;

import io.noise2noise.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Client {@code Idempotency-Key}s: the same key with the same request returns the job it created;
 * the same key with a different request is refused (422). Kept in the bucket under a hash of the
 * owner and key, so every gateway replica sees them. Two identical requests racing within a few
 * milliseconds can still both create a job: S3 offers no portable compare-and-set.
 */
@Component
public class IdempotencyKeys {

    private final ObjectStore objects;

    public IdempotencyKeys(ObjectStore objects) {
        this.objects = objects;
    }

    /** The job id an earlier identical request created, if any. */
    public Optional<String> find(JobSubmissions.Submission submission) {
        if (submission.idempotencyKey() == null) {
            return Optional.empty();
        }
        return objects.get(objectKey(submission)).map(object -> {
            String[] stored = new String(object.data(), StandardCharsets.UTF_8).split("\n");
            if (!stored[1].equals(requestHash(submission))) {
                throw new SubmissionException(HttpStatus.UNPROCESSABLE_ENTITY,
                        "Idempotency-Key was already used with a different request");
            }
            return stored[0];
        });
    }

    public void remember(JobSubmissions.Submission submission, String jobId) {
        if (submission.idempotencyKey() != null) {
            objects.put(objectKey(submission), (jobId + "\n" + requestHash(submission)).getBytes(StandardCharsets.UTF_8),
                    "text/plain");
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
