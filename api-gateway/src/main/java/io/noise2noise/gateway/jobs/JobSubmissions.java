package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.gateway.models.ModelCatalogue;
import io.noise2noise.gateway.webhooks.InvalidWebhookException;
import io.noise2noise.gateway.webhooks.WebhookTargets;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.ImageInfo;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.image.InvalidImageException;
import io.noise2noise.job.CatalogueKeys;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.StorageUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;

/**
 * Accepting a job: validate (image header, parameters) → store the input → create the job record →
 * publish the job. Nothing is published unless input and record are stored, and a job whose
 * publication fails is removed again, so a client never holds an id that no worker will see.
 */
@Service
public class JobSubmissions {

    private static final Logger log = LoggerFactory.getLogger(JobSubmissions.class);
    private static final Pattern DATA_URL_PREFIX = Pattern.compile("data:[^,]*;base64,");

    private final ImageCodec codec;
    private final ObjectStore objects;
    private final JobStore jobs;
    private final KafkaTemplate<String, Object> kafka;
    private final JobTopics topics;
    private final WebhookTargets webhookTargets;
    private final IdempotencyKeys idempotencyKeys;
    private final QueueBackpressure backpressure;
    private final ImageLimits imageLimits;
    private final GatewayProperties properties;
    private final UploadSlots uploadSlots;
    private final UnfinishedJobs unfinishedJobs;
    private final ModelCatalogue catalogue;
    private final Clock clock = Clock.systemUTC();

    public JobSubmissions(
            ImageCodec codec,
            ObjectStore objects,
            JobStore jobs,
            KafkaTemplate<String, Object> kafka,
            JobTopics topics,
            WebhookTargets webhookTargets,
            IdempotencyKeys idempotencyKeys,
            QueueBackpressure backpressure,
            ImageLimits imageLimits,
            GatewayProperties properties,
            UploadSlots uploadSlots,
            UnfinishedJobs unfinishedJobs,
            ModelCatalogue catalogue) {
        this.catalogue = catalogue;
        this.uploadSlots = uploadSlots;
        this.unfinishedJobs = unfinishedJobs;
        this.backpressure = backpressure;
        this.imageLimits = imageLimits;
        this.codec = codec;
        this.objects = objects;
        this.jobs = jobs;
        this.kafka = kafka;
        this.topics = topics;
        this.webhookTargets = webhookTargets;
        this.idempotencyKeys = idempotencyKeys;
        this.properties = properties;
    }

    /** A client's request: the image and what it asked for ({@code spec}'s webhook not yet checked). */
    public record Submission(byte[] image, JobSpec spec, String idempotencyKey) {}

    /**
     * Decodes a base64 image as old and new clients send it: plain, MIME-wrapped, or as a data URL.
     * The text is large (up to ~92 M characters): its base64 characters are gathered once, without
     * copies of the string, so decoding allocates about 2.3 times the image (was 11 times for a
     * wrapped data URL).
     */
    public static byte[] decodeBase64(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new RequestRefusedException(Reason.MALFORMED_REQUEST, field + " is required");
        }
        int start = 0;
        while (isWhitespace(value.charAt(start))) {
            start++;
        }
        Matcher prefix = DATA_URL_PREFIX.matcher(value).region(start, value.length());
        if (prefix.lookingAt()) {
            start = prefix.end();
        }
        int length = 0;
        for (int i = start; i < value.length(); i++) {
            length += isWhitespace(value.charAt(i)) ? 0 : 1;
        }
        byte[] payload = new byte[length];
        int at = 0;
        for (int i = start; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isWhitespace(c)) {
                // no base64 character is above 0x7f; anything that is stays invalid for the decoder
                payload[at++] = c > 0x7f ? (byte) '*' : (byte) c;
            }
        }
        try {
            return Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw new RequestRefusedException(
                    Reason.MALFORMED_REQUEST, field + " is not valid base64: " + e.getMessage());
        }
    }

    /** The characters {@code \s} matches, as clients wrap base64 with. */
    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    public Job submit(Submission submission) {
        checkParameters(submission.spec());
        ImageInfo info = probe(() -> codec.probe(submission.image()));
        checkWritable(info, submission.spec());
        return accept(
                submission,
                info,
                job -> storeWith(
                        job, () -> objects.put(JobKeys.input(job.id()), submission.image(), info.contentType())));
    }

    /**
     * A job whose image the client PUT to a presigned upload URL. The gateway never holds the file:
     * its size and ETag come from a stat, its header from ranged reads of the first bytes, and it
     * becomes the job's input by a copy inside S3. The holder of the URL can PUT again at any time,
     * so the reads and the copy are of the stat's version only (its ETag): a file replaced meanwhile
     * is refused (409), never copied. Only the caller that opened the upload may submit it; the upload
     * is removed once the job has it, or when it is refused for its size or for changing.
     */
    public Job submitUpload(String uploadId, JobSpec spec, String idempotencyKey) {
        String missing = "nothing was uploaded for upload_id " + uploadId;
        if (!JobIds.isWellFormed(uploadId)) {
            throw new RequestRefusedException(Reason.UNKNOWN_UPLOAD, "upload_id is not valid");
        }
        checkParameters(spec);
        // another caller's upload is as unknown as one never opened
        if (!uploadSlots.isOpen(spec.owner(), uploadId)) {
            throw new RequestRefusedException(Reason.UNKNOWN_UPLOAD, missing);
        }
        String upload = JobKeys.upload(uploadId);
        ObjectStore.ObjectVersion version =
                objects.version(upload).orElseThrow(() -> new RequestRefusedException(Reason.UNKNOWN_UPLOAD, missing));
        long limit = imageLimits.maxUploadBytes().toBytes();
        if (version.size() > limit) {
            // a presigned PUT cannot bound its size, so the limit is enforced here, and the file not kept
            uploadSlots.close(spec.owner(), uploadId);
            throw new RequestRefusedException(
                    Reason.IMAGE_TOO_LARGE,
                    "the upload has " + version.size()
                            + " bytes; the limit for uploads (n2n.images.max-upload-bytes) is " + limit);
        }
        ImageInfo info = probe(() -> codec.probe(
                version.size(),
                (offset, length) -> objects.readVersion(upload, version.etag(), offset, length)
                        .orElseThrow(() -> changed(spec.owner(), uploadId))));
        checkWritable(info, spec);
        // an upload is identified by its id: the same key with the same upload_id and parameters is the same request
        Submission identity =
                new Submission(("upload " + uploadId).getBytes(StandardCharsets.UTF_8), spec, idempotencyKey);
        Job job = accept(
                identity,
                info,
                accepted -> storeWith(accepted, () -> {
                    if (!objects.copyVersion(upload, version.etag(), JobKeys.input(accepted.id()))) {
                        throw changed(spec.owner(), uploadId);
                    }
                }));
        uploadSlots.close(spec.owner(), uploadId);
        return job;
    }

    /** The upload was replaced (or removed) after it was checked: nothing of it is kept. */
    private RequestRefusedException changed(String owner, String uploadId) {
        uploadSlots.close(owner, uploadId);
        return new RequestRefusedException(
                Reason.UPLOAD_CHANGED,
                "the upload " + uploadId + " changed while it was being checked; open a new upload and submit that");
    }

    private void checkParameters(JobSpec spec) {
        if (!(spec.strength() >= 0 && spec.strength() <= 1)) {
            throw new RequestRefusedException(Reason.INVALID_PARAMETER, "strength must be between 0 and 1");
        }
        if (spec.model() != null && !CatalogueKeys.isModelName(spec.model())) {
            throw new RequestRefusedException(Reason.INVALID_PARAMETER, "model name is not valid");
        }
        catalogue.checkKnown(spec.model());
        if (spec.format() != null && !ImageCodec.isOutputFormat(spec.format())) {
            throw new RequestRefusedException(
                    Reason.INVALID_PARAMETER,
                    "format " + spec.format() + " cannot be written; use one of "
                            + new TreeSet<>(ImageCodec.OUTPUT_FORMATS));
        }
        if (spec.quality() != null && !(spec.quality() > 0 && spec.quality() <= 1)) {
            throw new RequestRefusedException(Reason.INVALID_PARAMETER, "quality must be in (0, 1]");
        }
        JobMetadata.check(spec.metadata());
        if (spec.webhook() != null) {
            try {
                webhookTargets.check(spec.webhook());
            } catch (InvalidWebhookException e) {
                throw new RequestRefusedException(Reason.WEBHOOK_NOT_ALLOWED, e.getMessage());
            }
        }
    }

    /** Claims the idempotency key, stores the input and the record, publishes the job. */
    private Job accept(Submission submission, ImageInfo info, Consumer<Job> storeInput) {
        IdempotencyKeys.Claim claim = idempotencyKeys.claim(submission, JobIds.newId());
        if (claim.earlier()) {
            return jobs.find(claim.jobId())
                    .orElseThrow(() -> new RequestRefusedException(
                            Reason.EXPIRED, "the job created with this Idempotency-Key no longer exists"));
        }
        Job job = Job.queued(
                claim.jobId(), submission.spec(), info.format(), info.width(), info.height(), clock.instant());
        try (MDC.MDCCloseable ignored = MDC.putCloseable("job.id", job.id())) {
            try {
                backpressure.check();
                unfinishedJobs.reserve(job.spec().owner(), job.id());
                storeInput.accept(job);
                publish(job);
            } catch (RuntimeException e) {
                idempotencyKeys.release(submission, job.id());
                throw e;
            }
            idempotencyKeys.confirm(submission, job.id());
            log.info("job accepted: {} {}x{}", info.format(), info.width(), info.height());
        }
        return job;
    }

    /** A new job with the input and parameters of a failed, canceled or expired one. */
    public Job retry(Job stored) {
        Job original = stored.asOf(clock.instant());
        if (!original.status().isTerminal() || original.status() == JobStatus.SUCCEEDED) {
            throw new RequestRefusedException(
                    Reason.JOB_STATE_CONFLICT,
                    "job " + original.id() + " is " + original.status().wireName()
                            + "; only failed, canceled or expired jobs can be retried");
        }
        catalogue.checkKnown(original.spec().model());
        backpressure.check();
        String input = JobKeys.input(original.id());
        if (!objects.exists(input)) {
            throw new RequestRefusedException(Reason.EXPIRED, "the input of job " + original.id() + " has expired");
        }
        Job job = Job.queued(
                JobIds.newId(),
                original.spec().retriedAs(original.id()),
                original.inputFormat(),
                original.width(),
                original.height(),
                clock.instant());
        unfinishedJobs.reserve(job.spec().owner(), job.id());
        storeWith(job, () -> objects.copy(input, JobKeys.input(job.id())));
        publish(job);
        return job;
    }

    private static ImageInfo probe(Supplier<ImageInfo> probe) {
        try {
            return probe.get();
        } catch (InvalidImageException e) {
            throw RequestRefusedException.of(e);
        }
    }

    /** What would fail on every attempt in the worker (the output format's limits) is refused now. */
    private void checkWritable(ImageInfo info, JobSpec spec) {
        try {
            codec.checkWritable(info, spec.format());
        } catch (InvalidImageException e) {
            throw RequestRefusedException.of(e);
        }
    }

    /** Stores the job's input by {@code storeInput}, then its record. */
    private void storeWith(Job job, Runnable storeInput) {
        try {
            storeInput.run();
            jobs.create(job);
        } catch (StorageUnavailableException e) {
            throw RequestRefusedException.storageUnavailable(e);
        }
    }

    private void publish(Job job) {
        JobRequested request = new JobRequested(
                job.id(),
                JobKeys.input(job.id()),
                job.spec().model(),
                job.spec().strength(),
                job.createdAt());
        try {
            kafka.send(topics.jobs(), job.id(), request)
                    .get(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unpublished(job, e);
        } catch (ExecutionException | TimeoutException e) {
            throw unpublished(job, e);
        }
    }

    private RequestRefusedException unpublished(Job job, Exception cause) {
        log.warn("job {} could not be published, removing it: {}", job.id(), cause.toString());
        try {
            jobs.delete(job);
            objects.delete(JobKeys.input(job.id()));
        } catch (StorageUnavailableException e) {
            log.warn("job {}: could not remove unpublished job: {}", job.id(), e.getMessage());
        }
        return RequestRefusedException.queueUnavailable(cause);
    }
}
