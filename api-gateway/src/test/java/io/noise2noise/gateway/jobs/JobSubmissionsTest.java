package io.noise2noise.gateway.jobs;

import static io.noise2noise.gateway.jobs.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.job.CatalogueKeys;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** Accepting, refusing and retrying jobs, over the in-memory store and a recording producer. */
class JobSubmissionsTest {

    private static final byte[] PNG = TestImages.encode(TestImages.scene(64, 48, 1), "png");

    private GatewayServices gateway = GatewayServices.withSettings(Map.of());

    @AfterEach
    void close() {
        gateway.close();
    }

    private static JobSpec spec(String owner) {
        return new JobSpec(null, 1.0, null, null, null, null, null, null, owner);
    }

    private static JobSpec spec(double strength, String model, String format, Float quality) {
        return new JobSpec(model, strength, format, quality, null, null, null, null, null);
    }

    @Test
    void storesTheInputAndTheRecordThenPublishesTheJob() {
        Job job = gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec("team-a"), null));

        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.inputFormat()).isEqualTo("png");
        assertThat(job.width()).isEqualTo(64);
        assertThat(job.height()).isEqualTo(48);
        assertThat(gateway.objects.get(JobKeys.input(job.id())).orElseThrow().data())
                .isEqualTo(PNG);
        assertThat(gateway.objects.get(JobKeys.input(job.id())).orElseThrow().contentType())
                .isEqualTo("image/png");
        assertThat(gateway.jobs.find(job.id())).contains(job);
        assertThat(gateway.objects.exists(JobKeys.unfinishedJob("team-a", job.id())))
                .isTrue();
        assertThat(gateway.publishedJobs()).singleElement().satisfies(published -> {
            assertThat(published.jobId()).isEqualTo(job.id());
            assertThat(published.inputKey()).isEqualTo(JobKeys.input(job.id()));
            assertThat(published.strength()).isEqualTo(1.0);
        });
        assertThat(gateway.broker.history())
                .singleElement()
                .satisfies(record -> assertThat(record.key()).isEqualTo(job.id()));
    }

    @Test
    void refusesBadParametersBeforeStoringAnything() {
        assertThat(refusal(() -> submit(spec(1.5, null, null, null)))).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> submit(spec(Double.NaN, null, null, null))))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> submit(spec(1, "../etc", null, null)))).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> submit(spec(1, null, "heic", null)))).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> submit(spec(1, null, "jpeg", 0f)))).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() ->
                        submit(new JobSpec(null, 1, null, null, "http://127.0.0.1/hook", null, null, null, null))))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);

        assertNothingStoredOrPublished();
    }

    @Test
    void keepsBoundedMetadataInTheRecordAndRefusesItOverABound() {
        Map<String, String> labels = Map.of("order", "42", "customer", "acme");
        Job job = submit(labels);

        assertThat(gateway.jobs.find(job.id()).orElseThrow().spec().metadata()).isEqualTo(labels);
        gateway.broker.clear();
        gateway.objects.delete(JobKeys.input(job.id()));
        gateway.objects.delete(JobKeys.record(job.id()));

        Map<String, String> mostEntries = new HashMap<>();
        for (int i = 0; i < JobMetadata.MAX_ENTRIES; i++) {
            mostEntries.put("k" + i, "v");
        }
        Map<String, String> tooMany = new HashMap<>(mostEntries);
        tooMany.put("one-more", "v");
        // 8 one-letter keys with 511-character values: 4096 bytes, all there may be
        Map<String, String> mostBytes = new HashMap<>();
        for (char key = 'a'; key < 'i'; key++) {
            mostBytes.put(String.valueOf(key), "v".repeat(JobMetadata.MAX_TOTAL_BYTES / 8 - 1));
        }
        Map<String, String> tooLarge = new HashMap<>(mostBytes);
        tooLarge.put("a", "é".repeat(256));
        Map<String, String> missingValue = new HashMap<>();
        missingValue.put("order", null);
        for (Map<String, String> refused : List.of(
                tooMany,
                tooLarge,
                missingValue,
                Map.of("", "v"),
                Map.of("k".repeat(JobMetadata.MAX_KEY_LENGTH + 1), "v"),
                Map.of("k", "v".repeat(JobMetadata.MAX_VALUE_LENGTH + 1)))) {
            assertThat(refusal(() -> submit(refused)))
                    .as(refused.keySet().toString())
                    .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        }
        assertThat(gateway.broker.history()).isEmpty();
        assertThat(submit(mostEntries).spec().metadata()).isEqualTo(mostEntries);
        assertThat(submit(mostBytes).spec().metadata()).isEqualTo(mostBytes);
    }

    @Test
    void anIdempotencyKeyWithOtherMetadataIsAnotherRequest() {
        Job first = gateway.submissions.submit(
                new JobSubmissions.Submission(PNG, labelled(Map.of("a", "1", "b", "2")), "key-1"));
        Job again = gateway.submissions.submit(
                new JobSubmissions.Submission(PNG, labelled(Map.of("b", "2", "a", "1")), "key-1"));

        assertThat(again).isEqualTo(first);
        assertThat(refusal(() -> gateway.submissions.submit(
                        new JobSubmissions.Submission(PNG, labelled(Map.of("a", "1", "b", "3")), "key-1"))))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(
                        () -> gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec("team-a"), "key-1"))))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
    }

    private static JobSpec labelled(Map<String, String> metadata) {
        return new JobSpec(null, 1.0, null, null, null, null, null, null, "team-a", metadata);
    }

    private Job submit(Map<String, String> metadata) {
        return gateway.submissions.submit(new JobSubmissions.Submission(PNG, labelled(metadata), null));
    }

    @Test
    void aModelNoWorkerPublishedIsRefusedBeforeStoringAnythingAndNoModelIsTheDefault() {
        assertThat(refusal(() -> submit(spec(1, "gaussian", null, null))))
                .as("nothing published yet")
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertNothingStoredOrPublished();
        assertThat(submit(spec(1, null, null, null)).spec().model())
                .as("the default, as before")
                .isNull();

        gateway.publishModel("gaussian", true);
        gateway.publishModel("impulse", false);
        gateway.broker.clear();
        UploadSlots.Opened upload = gateway.uploadSlots.open(null);
        gateway.objects.put(JobKeys.upload(upload.uploadId()), PNG, "image/png");

        RequestRefusedException refused =
                catchThrowableOfType(RequestRefusedException.class, () -> submit(spec(1, "poisson", null, null)));
        assertThat(refused.reason()).isEqualTo(RequestRefusedException.Reason.UNKNOWN_MODEL);
        assertThat(refused.getMessage())
                .isEqualTo("unknown model 'poisson'; known models: gaussian, impulse;"
                        + " available now: gaussian, impulse");
        assertThat(refusal(() ->
                        gateway.submissions.submitUpload(upload.uploadId(), spec(1, "poisson", null, null), null)))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(gateway.broker.history()).isEmpty();
        assertThat(gateway.objects.exists(JobKeys.upload(upload.uploadId())))
                .as("the upload stays for a retry")
                .isTrue();

        assertThat(submit(spec(1, "impulse", null, null)).spec().model()).isEqualTo("impulse");
        assertThat(gateway.submissions
                        .submitUpload(upload.uploadId(), spec(1, "gaussian", null, null), null)
                        .spec()
                        .model())
                .isEqualTo("gaussian");
    }

    @Test
    void aRetryOfAJobWhoseModelIsNoLongerPublishedIsRefused() {
        gateway.publishModel("impulse", false);
        Job original = submit(spec(1, "impulse", null, null));
        Job failed = gateway.jobs
                .advance(
                        original.id(),
                        job -> job.running(Instant.now())
                                .failed(new JobError(JobError.PROCESSING_FAILED, "boom"), Instant.now()))
                .orElseThrow();
        gateway.objects.delete(CatalogueKeys.entry("impulse", "test-worker"));
        gateway.publishModel("gaussian", true);

        assertThat(refusal(() -> gateway.submissions.retry(failed))).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(gateway.publishedJobs()).extracting(JobRequested::jobId).containsExactly(original.id());
    }

    @Test
    void refusesWhatIsNoImageItCanReadByWhy() {
        assertThat(refusal(() -> submit(new byte[0]))).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(refusal(() -> submit("just some text".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);

        assertNothingStoredOrPublished();
    }

    @Test
    void theSameIdempotencyKeyAndRequestGiveTheSameJobOnce() {
        Job first = gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec("team-a"), "key-1"));
        Job again = gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec("team-a"), "key-1"));
        Job otherOwner = gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec("team-b"), "key-1"));

        assertThat(again).isEqualTo(first);
        assertThat(otherOwner.id()).isNotEqualTo(first.id());
        assertThat(gateway.publishedJobs())
                .extracting(JobRequested::jobId)
                .containsExactly(first.id(), otherOwner.id());
        byte[] otherImage = TestImages.encode(TestImages.scene(64, 48, 2), "png");
        assertThat(refusal(() ->
                        gateway.submissions.submit(new JobSubmissions.Submission(otherImage, spec("team-a"), "key-1"))))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
    }

    @Test
    void refusesWhileTheBacklogIsOverItsBoundAndFreesTheIdempotencyKey() {
        gateway.backlog.set(gateway.properties.backpressure().maxQueuedJobs() + 1);

        assertThat(refusal(() -> gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec(null), "k"))))
                .isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertNothingStoredOrPublished();

        gateway.backlog.set(0);
        Job accepted = gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec(null), "k"));
        assertThat(gateway.publishedJobs()).extracting(JobRequested::jobId).containsExactly(accepted.id());
    }

    @Test
    void boundsACallersUnfinishedJobsUntilOneEnds() {
        gateway.close();
        gateway = GatewayServices.withSettings(Map.of("n2n.gateway.quotas.max-unfinished-jobs", 2));
        Job first = submit(spec("team-a"));
        submit(spec("team-a"));

        assertThat(refusal(() -> submit(spec("team-a")))).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        submit(spec("team-b"));

        gateway.cancellations.cancel(first);
        assertThat(submit(spec("team-a")).status()).isEqualTo(JobStatus.QUEUED);
    }

    @Test
    void aJobThatCannotBePublishedIsRemovedAndItsKeyFreed() {
        gateway.close();
        gateway = new GatewayServices(
                GatewayServices.properties(Map.of("n2n.gateway.publish-timeout", "200ms")),
                ImageLimits.defaults(),
                GatewayServices.mapper(),
                false);

        assertThat(refusal(() -> gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec(null), "k"))))
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);

        String sentId = gateway.broker.history().get(0).key();
        assertThat(gateway.jobs.find(sentId)).isEmpty();
        assertThat(gateway.objects.exists(JobKeys.input(sentId))).isFalse();
        assertThat(gateway.objects.list("idempotency/")).isEmpty();
    }

    @Test
    void anUploadBecomesTheJobsInputOnlyForTheCallerThatOpenedIt() {
        UploadSlots.Opened upload = gateway.uploadSlots.open("team-a");
        gateway.objects.put(JobKeys.upload(upload.uploadId()), PNG, "application/octet-stream");

        assertThat(refusal(() -> gateway.submissions.submitUpload(upload.uploadId(), spec("team-b"), null)))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        Job job = gateway.submissions.submitUpload(upload.uploadId(), spec("team-a"), null);

        assertThat(job.width()).isEqualTo(64);
        assertThat(gateway.objects.get(JobKeys.input(job.id())).orElseThrow().data())
                .isEqualTo(PNG);
        assertThat(gateway.objects.list(JobKeys.UPLOADS))
                .as("the upload and its slot are removed")
                .isEmpty();
        assertThat(gateway.publishedJobs()).extracting(JobRequested::jobId).containsExactly(job.id());
        assertThat(refusal(() -> gateway.submissions.submitUpload(upload.uploadId(), spec("team-a"), null)))
                .as("submitted once")
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
    }

    @Test
    void imagesOverTheLimitsAreRefusedWith413AndAnOversizedUploadIsNotKept() {
        gateway.close();
        gateway = new GatewayServices(
                GatewayServices.properties(Map.of()),
                ImageLimits.of(Map.of("max-bytes", (PNG.length - 1) + "B", "max-upload-bytes", (PNG.length - 1) + "B")),
                GatewayServices.mapper(),
                true);
        UploadSlots.Opened upload = gateway.uploadSlots.open(null);
        gateway.objects.put(JobKeys.upload(upload.uploadId()), PNG, "image/png");

        assertThat(refusal(() -> submit(spec(null)))).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertThat(refusal(() -> gateway.submissions.submitUpload(upload.uploadId(), spec(null), null)))
                .isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertThat(gateway.objects.list(JobKeys.UPLOADS))
                .as("the upload and its slot are removed")
                .isEmpty();

        gateway.close();
        gateway = new GatewayServices(
                GatewayServices.properties(Map.of()),
                ImageLimits.of(Map.of("max-pixels", String.valueOf(64 * 48 - 1))),
                GatewayServices.mapper(),
                true);
        assertThat(refusal(() -> submit(spec(null)))).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertNothingStoredOrPublished();
    }

    @Test
    void anUploadNeverWrittenOrNotAnIdIsRefused() {
        UploadSlots.Opened upload = gateway.uploadSlots.open(null);

        assertThat(refusal(() -> gateway.submissions.submitUpload(upload.uploadId(), spec(null), null)))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> gateway.submissions.submitUpload("../jobs", spec(null), null)))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(gateway.publishedJobs()).isEmpty();
    }

    @Test
    void retriesAFailedJobAsANewOneWithTheSameInput() {
        Job original = submit(spec("team-a"));
        Job failed = gateway.jobs
                .advance(
                        original.id(),
                        job -> job.running(Instant.now())
                                .failed(new JobError(JobError.PROCESSING_FAILED, "boom"), Instant.now()))
                .orElseThrow();

        Job retried = gateway.submissions.retry(failed);

        assertThat(retried.id()).isNotEqualTo(original.id());
        assertThat(retried.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(retried.spec().retryOf()).isEqualTo(original.id());
        assertThat(retried.spec().owner()).isEqualTo("team-a");
        assertThat(gateway.objects
                        .get(JobKeys.input(retried.id()))
                        .orElseThrow()
                        .data())
                .isEqualTo(PNG);
        assertThat(gateway.jobs.find(retried.id())).contains(retried);
        assertThat(gateway.publishedJobs())
                .extracting(JobRequested::jobId)
                .containsExactly(original.id(), retried.id());
    }

    @Test
    void refusesToRetryWhatIsNotFailedOrWhoseInputExpired() {
        Job queued = submit(spec(null));
        assertThat(refusal(() -> gateway.submissions.retry(queued))).isEqualTo(HttpStatus.CONFLICT);
        Job succeeded = gateway.jobs
                .advance(
                        queued.id(),
                        job -> job.running(Instant.now())
                                .succeeded(JobKeys.result(job.id(), 1), "image/png", 1.0, Instant.now()))
                .orElseThrow();
        assertThat(refusal(() -> gateway.submissions.retry(succeeded))).isEqualTo(HttpStatus.CONFLICT);

        Job other = submit(spec(null));
        Job canceled = gateway.cancellations.cancel(other).job();
        gateway.objects.delete(JobKeys.input(other.id()));
        assertThat(refusal(() -> gateway.submissions.retry(canceled))).isEqualTo(HttpStatus.GONE);
    }

    private Job submit(JobSpec spec) {
        return gateway.submissions.submit(new JobSubmissions.Submission(PNG, spec, null));
    }

    private Job submit(byte[] image) {
        return gateway.submissions.submit(new JobSubmissions.Submission(image, spec(null), null));
    }

    private void assertNothingStoredOrPublished() {
        assertThat(gateway.objects.list("jobs/")).isEmpty();
        assertThat(gateway.objects.list("idempotency/")).isEmpty();
        assertThat(gateway.broker.history()).isEmpty();
    }
}
