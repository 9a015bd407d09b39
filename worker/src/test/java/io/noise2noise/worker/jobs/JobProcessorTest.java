package io.noise2noise.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.job.CatalogueEntry;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobEventPublisher;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.InMemoryObjectStore;
import io.noise2noise.storage.StorageUnavailableException;
import io.noise2noise.testing.RecordingProducer;
import io.noise2noise.testing.TestImages;
import io.noise2noise.worker.inference.Denoiser;
import io.noise2noise.worker.inference.InferenceEngine;
import io.noise2noise.worker.inference.InferenceProperties;
import io.noise2noise.worker.inference.ModelRegistry;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

/**
 * One job start to end through the real DJL engine (the zoo's small {@code text} model on ONNX
 * Runtime), over the in-memory store and a recording producer: what is stored, what is published.
 */
class JobProcessorTest {

    private static final Path ZOO = Path.of(System.getProperty("n2n.repo-root", ".."), "models", "zoo");
    private static final int TILE_SIZE = 64;
    private static final ImageCodec CODEC = new ImageCodec(ImageLimits.defaults());
    private static final BufferedImage SCENE = TestImages.withGaussianNoise(TestImages.scene(150, 100, 8), 20, 9);
    private static final byte[] PNG = TestImages.encode(SCENE, "png");

    @TempDir
    static Path models;

    private static ModelRegistry registry;

    private final InMemoryObjectStore objects = new InMemoryObjectStore();
    private final JobStore jobs =
            new JobStore(objects, Jackson2ObjectMapperBuilder.json().build());
    private final JobTopics topics = JobTopics.defaults();
    private final RecordingProducer broker = new RecordingProducer(true);

    /** Only the small model, so the registry loads one, not the whole zoo. */
    @BeforeAll
    static void loadModel() throws IOException {
        Files.createSymbolicLink(models.resolve("text"), ZOO.resolve("text").toAbsolutePath());
        registry = new ModelRegistry(
                new InferenceProperties(models, "text", 1, 1, TILE_SIZE, 16, InferenceEngine.ONNXRUNTIME, Map.of(), 1),
                Jackson2ObjectMapperBuilder.json().build());
    }

    @AfterAll
    static void closeModel() {
        registry.close();
    }

    private JobProcessor processor(Clock clock, long maxInputBytes) {
        return processor(registry, clock, maxInputBytes);
    }

    private JobProcessor processor(ModelRegistry models, Clock clock, long maxInputBytes) {
        return processor(jobs, objects, models, Duration.ZERO, clock, maxInputBytes);
    }

    /** A worker on a store of the test's own (one that acts at a given moment of the job). */
    private JobProcessor processor(InMemoryObjectStore store, Duration checkpointInterval) {
        return processor(
                new JobStore(store, Jackson2ObjectMapperBuilder.json().build()),
                store,
                registry,
                checkpointInterval,
                Clock.systemUTC(),
                10_000_000);
    }

    private JobProcessor processor(
            JobStore records,
            InMemoryObjectStore store,
            ModelRegistry models,
            Duration checkpointInterval,
            Clock clock,
            long maxInputBytes) {
        return new JobProcessor(
                records,
                store,
                CODEC,
                models,
                new Denoiser(TILE_SIZE, 16),
                new JobEventPublisher(broker.template(), topics),
                new SimpleMeterRegistry(),
                checkpointInterval,
                maxInputBytes,
                clock);
    }

    private JobProcessor processor() {
        return processor(Clock.systemUTC(), 10_000_000);
    }

    /** A queued job with {@code input} stored as a gateway leaves it, and the request it published. */
    private JobRequested queued(byte[] input, JobSpec spec, Instant createdAt) {
        Job job = Job.queued(JobIds.newId(), spec, "png", 150, 100, createdAt);
        objects.put(JobKeys.input(job.id()), input, "image/png");
        jobs.create(job);
        return new JobRequested(job.id(), JobKeys.input(job.id()), spec.model(), spec.strength(), createdAt);
    }

    private JobRequested queued(byte[] input) {
        return queued(input, spec(null, null), Instant.now());
    }

    private static JobSpec spec(String model, Instant deadline) {
        return new JobSpec(model, 1.0, null, null, null, null, deadline, null, null);
    }

    private List<Job> published() {
        return broker.sent(topics.results(), Job.class);
    }

    private Job stored(JobRequested request) {
        return jobs.find(request.jobId()).orElseThrow();
    }

    @Test
    void denoisesTheInputStoresTheResultOfItsAttemptAndPublishesStartAndEnd() {
        JobRequested request = queued(PNG);
        CatalogueEntry.Speed before = registry.get("text").speed().orElse(new CatalogueEntry.Speed(0, 0));

        processor().process(request);

        Job done = stored(request);
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(1);
        CatalogueEntry.Speed after = registry.get("text").speed().orElseThrow();
        assertThat(after.pixels() - before.pixels())
                .as("the image's pixels, for the catalogue's speed")
                .isEqualTo(150 * 100);
        assertThat(after.seconds()).isGreaterThan(before.seconds());
        assertThat(done.resultKey()).isEqualTo(JobKeys.result(request.jobId(), 1));
        assertThat(done.resultContentType()).isEqualTo("image/png");
        assertThat(done.modelUsed()).isEqualTo("text");
        assertThat(done.progress().done()).isEqualTo(done.progress().total());
        assertThat(done.noiseSigma()).isPositive();
        BufferedImage result =
                TestImages.decode(objects.get(done.resultKey()).orElseThrow().data());
        assertThat(result.getWidth()).isEqualTo(150);
        assertThat(result.getHeight()).isEqualTo(100);
        assertThat(published()).extracting(Job::status).containsExactly(JobStatus.RUNNING, JobStatus.SUCCEEDED);
        assertThat(published().get(1)).isEqualTo(done);
    }

    /**
     * A worker with the Gaussian and impulse models and {@code auto} as its default, as deployed: a job
     * naming no model, and one naming {@code auto}, get the model the image's noise calls for.
     */
    @Test
    void aJobNamingNoModelRunsTheModelChosenForItsImageAndRecordsWhy(@TempDir Path zoo) throws IOException {
        for (String model : List.of("gaussian", "impulse")) {
            Files.createSymbolicLink(zoo.resolve(model), ZOO.resolve(model).toAbsolutePath());
        }
        BufferedImage impulses = TestImages.scene(150, 100, 8);
        Random random = new Random(21);
        for (int i = 0; i < 150 * 100 / 5; i++) {
            impulses.setRGB(random.nextInt(150), random.nextInt(100), random.nextInt(1 << 24));
        }
        try (ModelRegistry choosing = new ModelRegistry(
                new InferenceProperties(zoo, "auto", 1, 1, TILE_SIZE, 16, InferenceEngine.ONNXRUNTIME, Map.of(), 1),
                Jackson2ObjectMapperBuilder.json().build())) {
            JobRequested unnamed = queued(TestImages.encode(impulses, "png"));
            JobRequested named = queued(PNG, spec("auto", null), Instant.now());

            processor(choosing, Clock.systemUTC(), 10_000_000).process(unnamed);
            processor(choosing, Clock.systemUTC(), 10_000_000).process(named);

            Job impulse = stored(unnamed);
            assertThat(impulse.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(impulse.modelUsed()).isEqualTo("impulse");
            assertThat(impulse.modelReason()).startsWith("auto: impulse — ").contains("outliers");
            Job gaussian = stored(named);
            assertThat(gaussian.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(gaussian.modelUsed()).isEqualTo("gaussian");
            assertThat(gaussian.modelReason())
                    .startsWith("auto: gaussian — independent noise")
                    .contains("noise sd");
            assertThat(published())
                    .filteredOn(job -> job.status() == JobStatus.SUCCEEDED)
                    .extracting(Job::modelReason)
                    .containsExactly(impulse.modelReason(), gaussian.modelReason());
            assertThat(choosing.names()).contains("auto", "gaussian", "impulse");
            assertThat(choosing.catalogueCards().get("auto").candidates()).containsExactly("impulse", "gaussian");
        }
    }

    @Test
    void aJobNamingAModelRunsItWithoutAReason() {
        JobRequested request = queued(PNG, spec("text", null), Instant.now());

        processor().process(request);

        assertThat(stored(request).modelUsed()).isEqualTo("text");
        assertThat(stored(request).modelReason()).isNull();
    }

    @Test
    void aRedeliveredRunningJobRunsAgainAsItsNextAttempt() {
        JobRequested request = queued(PNG);
        jobs.advance(request.jobId(), job -> job.running(Instant.now()));

        processor().process(request);

        Job done = stored(request);
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(2);
        assertThat(done.resultKey()).isEqualTo(JobKeys.result(request.jobId(), 2));
        assertThat(objects.exists(JobKeys.result(request.jobId(), 1))).isFalse();
    }

    @Test
    void aFinishedJobIsNotRunAgainButItsRecordIsPublishedAgain() {
        JobRequested request = queued(PNG);
        Job failed = jobs.advance(
                        request.jobId(),
                        job -> job.failed(new JobError(JobError.PROCESSING_FAILED, "earlier"), Instant.now()))
                .orElseThrow();

        processor().process(request);

        assertThat(stored(request)).isEqualTo(failed);
        assertThat(published()).containsExactly(failed);
        assertThat(objects.list("jobs/" + request.jobId() + "/attempts/")).isEmpty();
    }

    @Test
    void aRequestWithoutARecordIsDropped() {
        processor().process(new JobRequested(JobIds.newId(), "jobs/none/input", null, 1.0, Instant.now()));

        assertThat(broker.history()).isEmpty();
    }

    /**
     * The client deletes the job (record first, then every object listed) after the worker started it
     * and before its result is stored: the worker's end, conditional on the record, finds nothing, so
     * it drops the result it stored after the deletion listed the job's objects; nothing is resurrected.
     */
    @Test
    void aJobDeletedWhileItRunsLeavesNothingOfItBehind() {
        Job job = Job.queued(JobIds.newId(), spec(null, null), "png", 150, 100, Instant.now());
        String resultKey = JobKeys.result(job.id(), 1);
        InMemoryObjectStore deletedBeforeTheResult = new InMemoryObjectStore() {
            @Override
            public synchronized void put(String key, byte[] data, String contentType) {
                if (key.equals(resultKey)) {
                    list(JobKeys.jobObjects(job.id())).forEach(this::delete);
                }
                super.put(key, data, contentType);
            }
        };
        JobStore deleting = new JobStore(
                deletedBeforeTheResult, Jackson2ObjectMapperBuilder.json().build());
        deletedBeforeTheResult.put(JobKeys.input(job.id()), PNG, "image/png");
        deleting.create(job);

        processor(deletedBeforeTheResult, Duration.ZERO)
                .process(new JobRequested(job.id(), JobKeys.input(job.id()), null, 1.0, job.createdAt()));

        assertThat(deletedBeforeTheResult.list(JobKeys.jobObjects(job.id()))).isEmpty();
        assertThat(published()).extracting(Job::status).containsExactly(JobStatus.RUNNING);
    }

    @Test
    void aCancelRequestStandingWhenARunningJobIsHandedOutAgainEndsItUnrun() {
        // a queued job's cancel ends it in the gateway; a standing request meets a redelivered running one
        JobRequested request = queued(PNG);
        jobs.advance(request.jobId(), job -> job.running(Instant.now()));
        jobs.requestCancel(request.jobId());

        processor().process(request);

        assertThat(stored(request).status()).isEqualTo(JobStatus.CANCELED);
        assertThat(stored(request).attempt()).as("no second attempt").isEqualTo(1);
        assertThat(objects.exists(JobKeys.result(request.jobId(), 2))).isFalse();
        assertThat(published()).extracting(Job::status).containsExactly(JobStatus.CANCELED);
    }

    /**
     * The client cancels just after the worker started the job (here: as it reads the input), and the
     * job takes less than one checkpoint interval: the check after its last tile still stops it, and no
     * result is stored.
     */
    @Test
    void aJobCanceledWhileItRunsEndsCanceledEvenIfShorterThanACheckpointInterval() {
        Job job = Job.queued(JobIds.newId(), spec(null, null), "png", 150, 100, Instant.now());
        InMemoryObjectStore canceledAtStart = new InMemoryObjectStore() {
            @Override
            public synchronized Optional<ObjectStream> open(String key) {
                if (key.equals(JobKeys.input(job.id()))) {
                    put(JobKeys.cancelRequest(job.id()), new byte[0], "application/octet-stream");
                }
                return super.open(key);
            }
        };
        JobStore canceling =
                new JobStore(canceledAtStart, Jackson2ObjectMapperBuilder.json().build());
        canceledAtStart.put(JobKeys.input(job.id()), PNG, "image/png");
        canceling.create(job);

        processor(canceledAtStart, Duration.ofHours(1))
                .process(new JobRequested(job.id(), JobKeys.input(job.id()), null, 1.0, job.createdAt()));

        Job ended = canceling.find(job.id()).orElseThrow();
        assertThat(ended.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(ended.error().message()).contains("canceled by request after");
        assertThat(canceledAtStart.exists(JobKeys.result(job.id(), 1))).isFalse();
        assertThat(published()).extracting(Job::status).containsExactly(JobStatus.RUNNING, JobStatus.CANCELED);
    }

    @Test
    void aJobPastItsDeadlineBeforeItStartsEndsExpired() {
        JobRequested request = queued(
                PNG, spec(null, Instant.now().minusSeconds(1)), Instant.now().minusSeconds(5));

        processor().process(request);

        assertThat(stored(request).status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(stored(request).error().code()).isEqualTo(JobError.EXPIRED);
        assertThat(published()).extracting(Job::status).containsExactly(JobStatus.EXPIRED);
    }

    /** Each reading of the clock is a second later: the deadline passes between tiles. */
    @Test
    void aDeadlinePassingWhileRunningStopsTheJobBetweenTilesWithItsProgress() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Clock ticking = new Clock() {
            private long readings;

            @Override
            public Instant instant() {
                return start.plusSeconds(++readings);
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }
        };
        byte[] large = TestImages.encode(TestImages.scene(400, 300, 10), "png");
        assertThat(new Denoiser(TILE_SIZE, 16).tileCount(CODEC.decode(large), registry.get("text")))
                .as("tiles enough to stop between")
                .isGreaterThan(4);
        JobRequested request = queued(large, spec(null, start.plusSeconds(3)), start);

        processor(ticking, 10_000_000).process(request);

        Job canceled = stored(request);
        assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(canceled.error().message()).contains("deadline");
        assertThat(canceled.progress().done())
                .isPositive()
                .isLessThan(canceled.progress().total());
        assertThat(objects.list("jobs/" + request.jobId() + "/attempts/")).isEmpty();
        assertThat(published()).extracting(Job::status).containsExactly(JobStatus.RUNNING, JobStatus.CANCELED);
    }

    @Test
    void whatWouldFailOnEveryAttemptEndsTheJobFailedWithAStableCode() {
        JobRequested notAnImage = queued("no image at all".getBytes(StandardCharsets.UTF_8));
        JobRequested unknownModel = queued(PNG, spec("no-such-model", null), Instant.now());
        JobRequested tooLarge = queued(PNG);
        JobRequested inputGone = queued(PNG);
        objects.delete(inputGone.inputKey());

        processor().process(notAnImage);
        processor().process(unknownModel);
        processor(Clock.systemUTC(), PNG.length - 1).process(tooLarge);
        processor().process(inputGone);

        assertThat(stored(notAnImage).error().code()).isEqualTo(JobError.INVALID_IMAGE);
        assertThat(stored(unknownModel).error().code()).isEqualTo(JobError.UNKNOWN_MODEL);
        assertThat(stored(tooLarge).error().code()).isEqualTo(JobError.INPUT_TOO_LARGE);
        assertThat(stored(inputGone).error().code()).isEqualTo(JobError.INVALID_IMAGE);
        assertThat(List.of(notAnImage, unknownModel, tooLarge, inputGone))
                .allSatisfy(request -> assertThat(stored(request).status()).isEqualTo(JobStatus.FAILED));
        assertThat(published())
                .filteredOn(job -> job.status() == JobStatus.FAILED)
                .hasSize(4);
    }

    @Test
    void storageDownPropagatesSoTheMessageIsRetriedAndTheJobIsLeftAsItWas() {
        JobRequested request = queued(PNG);
        objects.setUnavailable(true);

        assertThatThrownBy(() -> processor().process(request))
                .isInstanceOf(StorageUnavailableException.class)
                .satisfies(
                        failure -> assertThat(HealableFailures.canHeal(failure)).isTrue());

        objects.setUnavailable(false);
        assertThat(stored(request).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(broker.history()).isEmpty();
    }

    @Test
    void aJobGivenUpOnEndsFailedUnlessItHadEnded() {
        JobRequested queued = queued(PNG);
        JobRequested canceled = queued(PNG);
        jobs.advance(canceled.jobId(), job -> job.canceled("by request", Instant.now()));
        JobError givenUp = new JobError(JobError.PROCESSING_FAILED, "storage stayed unavailable");

        processor().failGivenUp(queued.jobId(), givenUp);
        processor().failGivenUp(canceled.jobId(), givenUp);

        assertThat(stored(queued).error()).isEqualTo(givenUp);
        assertThat(stored(canceled).status()).isEqualTo(JobStatus.CANCELED);
        assertThat(published()).extracting(Job::id).containsExactly(queued.jobId());
    }
}
