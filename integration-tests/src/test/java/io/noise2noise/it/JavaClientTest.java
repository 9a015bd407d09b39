package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noise2noise.client.ApiException;
import io.noise2noise.client.Job;
import io.noise2noise.client.JobPage;
import io.noise2noise.client.JobQuery;
import io.noise2noise.client.JobStatus;
import io.noise2noise.client.Model;
import io.noise2noise.client.Noise2NoiseClient;
import io.noise2noise.client.SubmitOptions;
import io.noise2noise.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Java client (clients/java) against the whole system on loopback: a gateway with an API key, a
 * worker with the real engine, Kafka and S3. And the client checked against the gateway's OpenAPI
 * document: every operation it calls, with what it sends and reads, is there.
 */
class JavaClientTest {

    private static final String KEY = "java-client-key-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext worker;
    private static String baseUrl;
    private static Noise2NoiseClient client;

    @BeforeAll
    static void start() throws Exception {
        gateway = Pipeline.gateway(Map.of(
                "n2n.gateway.api-keys[0].id", "java-client",
                "n2n.gateway.api-keys[0].sha256", sha256(KEY),
                "n2n.gateway.api-keys[0].requests-per-minute", "6000"));
        worker = Pipeline.worker(Map.of());
        baseUrl = Pipeline.baseUrl(gateway);
        client = Noise2NoiseClient.builder(baseUrl).apiKey(KEY).build();
    }

    @AfterAll
    static void stop() {
        worker.close();
        gateway.close();
    }

    @Test
    void denoisesAPngSentAsJson(@TempDir Path directory) throws Exception {
        BufferedImage clean = TestImages.scene(160, 120, 11);
        BufferedImage noisy = TestImages.withGaussianNoise(clean, 25, 12);
        double uploadsBefore = openedUploads();

        Job submitted = client.submit(
                TestImages.encode(noisy, "png"), SubmitOptions.defaults().withFormat("png"));
        Job done = client.waitFor(submitted.id(), WAIT);
        Path target = directory.resolve("clean.png");
        long written = client.download(done.id(), target);

        assertThat(submitted.status()).isIn(JobStatus.QUEUED, JobStatus.RUNNING);
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.modelUsed()).isEqualTo("gaussian");
        assertThat(done.modelReason()).as("no model named: the worker chose").startsWith("auto");
        assertThat(done.format()).isEqualTo("png");
        assertThat(done.width()).isEqualTo(160);
        assertThat(done.resultUrl()).isEqualTo("/v1/jobs/" + done.id() + "/result");
        assertThat(written).isEqualTo(Files.size(target));
        assertPsnrImproved(clean, noisy, TestImages.decode(Files.readAllBytes(target)));
        assertThat(openedUploads()).as("a small image goes in the JSON body").isEqualTo(uploadsBefore);
    }

    @Test
    void denoisesAFileSentThroughAPresignedUpload(@TempDir Path directory) throws Exception {
        BufferedImage clean = TestImages.scene(200, 150, 13);
        BufferedImage noisy = TestImages.withGaussianNoise(clean, 25, 14);
        Path input = directory.resolve("noisy.png");
        Files.write(input, TestImages.encode(noisy, "png"));
        Noise2NoiseClient uploading = Noise2NoiseClient.builder(baseUrl)
                .apiKey(KEY)
                .uploadThreshold(1024)
                .build();
        double uploadsBefore = openedUploads();

        Instant before = Instant.now();
        Job submitted = uploading.submit(
                input,
                SubmitOptions.defaults()
                        .withStrength(1.0)
                        .withMetadata(Map.of("route", "upload"))
                        .withCancelAfter(Duration.ofMinutes(5)));
        Job done = uploading.waitFor(submitted.id(), WAIT);
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        uploading.download(done.id(), result);

        assertThat(openedUploads()).as("POST /v1/uploads answered 201").isEqualTo(uploadsBefore + 1);
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.metadata()).containsEntry("route", "upload");
        assertThat(done.inputFormat()).isEqualTo("png");
        assertThat(done.cancelAfter())
                .isBetween(
                        before.plus(Duration.ofMinutes(5)).minusSeconds(1),
                        Instant.now().plus(Duration.ofMinutes(5)));
        assertPsnrImproved(clean, noisy, TestImages.decode(result.toByteArray()));
    }

    @Test
    void aCanceledJobEndsCanceled() {
        // big enough that the worker cannot finish it before the cancellation arrives
        byte[] big = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(1600, 1200, 15), 25, 16), "jpeg");

        Job submitted = client.submit(big, SubmitOptions.defaults());
        Job answered = client.cancel(submitted.id());
        Job ended = client.waitFor(submitted.id(), WAIT);

        assertThat(answered.status()).isIn(JobStatus.CANCELED, JobStatus.RUNNING);
        assertThat(ended.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(ended.error().code()).isEqualTo("canceled");
        ApiException noResult = catchThrowableOfType(
                ApiException.class, () -> client.download(ended.id(), new ByteArrayOutputStream()));
        assertThat(noResult.status()).isEqualTo(409);
        assertThat(noResult.reason()).contains("job-state-conflict");
    }

    @Test
    void listsTheCallersJobsAcrossPagesAndDeletesOne() {
        Instant before = Instant.now().minusMillis(1);
        byte[] tiny = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(32, 24, 17), 20, 18), "png");
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            submitted.add(client.submit(tiny, SubmitOptions.defaults()).id());
        }
        submitted.forEach(id -> client.waitFor(id, WAIT));

        JobQuery mine = JobQuery.all().withCreatedAfter(before).withLimit(2);
        JobPage first = client.listJobs(mine);
        List<String> all = new ArrayList<>();
        client.allJobs(mine).forEachRemaining(job -> all.add(job.id()));
        List<Job> succeeded = new ArrayList<>();
        client.allJobs(mine.withStatus(JobStatus.SUCCEEDED)).forEachRemaining(succeeded::add);

        assertThat(first.jobs()).hasSize(2);
        assertThat(first.nextPageToken()).isNotNull();
        assertThat(all).containsExactlyInAnyOrderElementsOf(submitted);
        assertThat(succeeded).extracting(Job::id).containsExactlyInAnyOrderElementsOf(submitted);

        client.delete(submitted.get(0));

        ApiException gone = catchThrowableOfType(ApiException.class, () -> client.get(submitted.get(0)));
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.reason()).contains("job-not-found");
        List<String> left = new ArrayList<>();
        client.allJobs(mine).forEachRemaining(job -> left.add(job.id()));
        assertThat(left).containsExactlyInAnyOrderElementsOf(submitted.subList(1, 3));
    }

    @Test
    void theSameIdempotencyKeyGivesTheSameJob() {
        byte[] tiny = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(32, 24, 19), 20, 20), "png");
        SubmitOptions keyed = SubmitOptions.defaults().withIdempotencyKey("java-client-" + System.nanoTime());

        Job first = client.submit(tiny, keyed);
        Job again = client.submit(tiny, keyed);

        assertThat(again.id()).isEqualTo(first.id());
        client.waitFor(first.id(), WAIT);
    }

    @Test
    void readsTheModelCatalogue() {
        List<Model> models = await().atMost(Duration.ofSeconds(30))
                .until(
                        client::models,
                        list -> list.stream().anyMatch(m -> m.name().equals("gaussian") && m.available()));
        Model gaussian = client.model("gaussian");
        Model auto = client.model("auto");

        assertThat(models).extracting(Model::name).contains("gaussian", "auto");
        assertThat(auto.isDefault())
                .as("a job naming no model: the worker chooses")
                .isTrue();
        assertThat(gaussian.isDefault()).isFalse();
        assertThat(gaussian.workers()).isPositive();
        assertThat(gaussian.lastSeen()).isBefore(Instant.now().plusSeconds(1));
        assertThat(gaussian.card().channels()).isIn(1, 3);
        ApiException unknown = catchThrowableOfType(ApiException.class, () -> client.model("no-such-model"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.reason()).contains("model-not-found");
    }

    @Test
    void aRefusalCarriesItsProblemDetails() {
        byte[] tiny = TestImages.encode(TestImages.scene(32, 24, 21), "png");

        ApiException refused = catchThrowableOfType(
                ApiException.class,
                () -> client.submit(tiny, SubmitOptions.defaults().withStrength(1.5)));
        ApiException unknownModel = catchThrowableOfType(
                ApiException.class,
                () -> client.submit(tiny, SubmitOptions.defaults().withModel("no-such-model")));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.reason()).contains("invalid-parameter");
        assertThat(refused.problem().status()).isEqualTo(422);
        assertThat(refused.problem().title()).isEqualTo("Invalid parameter");
        assertThat(refused.problem().detail()).contains("strength");
        assertThat(refused.problem().instance()).isEqualTo("/v1/jobs");
        assertThat(refused.getMessage()).startsWith("POST /v1/jobs: 422 ").contains("strength");
        assertThat(unknownModel.status()).isEqualTo(422);
        assertThat(unknownModel.problem().detail()).contains("no-such-model").contains("gaussian");
    }

    @Test
    void withoutTheRightKeyTheGatewayAnswers401() {
        for (Noise2NoiseClient stranger : List.of(
                Noise2NoiseClient.builder(baseUrl).build(),
                Noise2NoiseClient.builder(baseUrl).apiKey("not-a-key").build())) {
            ApiException refused = catchThrowableOfType(ApiException.class, () -> stranger.listJobs(JobQuery.all()));

            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.problem().status()).isEqualTo(401);
            assertThat(refused.problem().detail()).isNotBlank();
            assertThat(refused.retryAfter()).isEmpty();
        }
    }

    @Test
    void everyOperationTheClientCallsIsInTheDocumentAsItCallsIt() {
        JsonNode document = HttpJson.get(baseUrl + "/v3/api-docs").body();

        assertThat(ClientDocumentCheck.drift(document)).isEmpty();
        assertThat(document.at("/components/securitySchemes/bearer/scheme").asText())
                .isEqualTo("bearer");
    }

    @Test
    void theDocumentCheckFindsADrift() {
        ObjectNode drifted = HttpJson.get(baseUrl + "/v3/api-docs").body().deepCopy();
        ((ObjectNode) drifted.at("/components/schemas/JobPage/properties")).remove("nextPageToken");
        ((ObjectNode) drifted.at("/components/schemas/JobRequest/properties")).remove("upload_id");
        ((ObjectNode) drifted.at("/paths")).remove("/v1/models/{name}");
        ArrayNode getJobParameters = (ArrayNode) drifted.at("/paths/~1v1~1jobs~1{id}/get/parameters");
        for (int i = getJobParameters.size() - 1; i >= 0; i--) {
            if (getJobParameters.get(i).path("name").asText().equals("Prefer")) {
                getJobParameters.remove(i);
            }
        }

        assertThat(ClientDocumentCheck.drift(drifted))
                .contains(
                        "LIST_JOBS: the answer has no nextPageToken",
                        "SUBMIT_JOB: the JSON body has no upload_id",
                        "GET_MODEL: no GET /v1/models/{name}",
                        "GET_JOB: no header parameter Prefer");
    }

    private static void assertPsnrImproved(BufferedImage clean, BufferedImage noisy, BufferedImage denoised) {
        assertThat(denoised.getWidth()).isEqualTo(clean.getWidth());
        assertThat(denoised.getHeight()).isEqualTo(clean.getHeight());
        double before = TestImages.psnr(clean, noisy);
        double after = TestImages.psnr(clean, denoised);
        assertThat(after).as("PSNR after denoising vs %.2f dB before", before).isGreaterThan(before + 3);
    }

    /** The gateway's count of presigned upload slots opened (its request metric of POST /v1/uploads → 201). */
    private static double openedUploads() {
        String metrics = new String(
                HttpJson.get(Pipeline.managementUrl(gateway) + "/actuator/prometheus")
                        .raw()
                        .body(),
                StandardCharsets.UTF_8);
        return metrics.lines()
                .filter(line -> line.startsWith("http_server_requests_seconds_count{")
                        && line.contains("method=\"POST\"")
                        && line.contains("status=\"201\"")
                        && line.contains("uri=\"/v1/uploads\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
