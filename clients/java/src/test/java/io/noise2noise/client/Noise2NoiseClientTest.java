package io.noise2noise.client;

import static io.noise2noise.client.ScriptedServer.bytes;
import static io.noise2noise.client.ScriptedServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client alone against a scripted HTTP server on loopback: retries, time-outs, problems, paging, transfers. */
class Noise2NoiseClientTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String QUEUE_FULL =
            "{\"type\":\"urn:noise2noise:problem:queue-full\",\"title\":\"Queue full\","
                    + "\"status\":429,\"detail\":\"1000 jobs are waiting\",\"instance\":\"/v1/jobs\"}";

    private ScriptedServer server;

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Noise2NoiseClient.Builder client() {
        return Noise2NoiseClient.builder(server.url()).apiKey("secret-key");
    }

    private static String job(String id, String status) {
        return "{\"id\":\"" + id + "\",\"status\":\"" + status + "\",\"created_at\":\"2026-12-04T10:00:00Z\","
                + "\"progress\":{\"done\":3,\"total\":10},\"strength\":1.0,\"width\":64,\"height\":48,"
                + "\"metadata\":{\"camera\":\"x\"}}";
    }

    @Test
    void retriesA503AfterItsRetryAfterAndReadsTheJob() {
        server.on("GET /v1/jobs/j1", json(503, QUEUE_FULL, "Retry-After", "1"), json(200, job("j1", "running")));

        long began = System.nanoTime();
        Job job = client().build().get("j1");

        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(server.seen()).hasSize(2);
        assertThat(server.seen().get(0).header("Authorization")).isEqualTo("Bearer secret-key");
        assertThat(job.id()).isEqualTo("j1");
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job.progress()).isEqualTo(new Job.Progress(3, 10));
        assertThat(job.createdAt()).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
        assertThat(job.width()).isEqualTo(64);
        assertThat(job.metadata()).containsEntry("camera", "x");
        assertThat(job.error()).isNull();
    }

    @Test
    void aRetryAfterOverTheMostItWaitsIsThrownAtOnceWithTheProblem() {
        server.on("GET /v1/models", json(429, QUEUE_FULL, "Retry-After", "120"));

        long began = System.nanoTime();
        ApiException refused = catchThrowableOfType(
                ApiException.class,
                () -> client().maxRetryWait(Duration.ofSeconds(10)).build().models());

        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
        assertThat(server.seen()).hasSize(1);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfter()).contains(Duration.ofSeconds(120));
        assertThat(refused.reason()).contains("queue-full");
        assertThat(refused.problem())
                .isEqualTo(new Problem(
                        "urn:noise2noise:problem:queue-full", "Queue full", 429, "1000 jobs are waiting", "/v1/jobs"));
        assertThat(refused).hasMessage("GET /v1/models: 429 1000 jobs are waiting");
    }

    @Test
    void givesUpAfterItsRetries() {
        server.on("GET /v1/jobs", json(503, QUEUE_FULL, "Retry-After", "0"));

        assertThatThrownBy(() -> client().retries(2).build().listJobs(JobQuery.all()))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(server.seen()).hasSize(3);
    }

    @Test
    void retriesASubmissionWithTheSameIdempotencyKey() throws Exception {
        server.on("POST /v1/jobs", json(429, QUEUE_FULL, "Retry-After", "0"), json(202, job("j2", "queued")));
        byte[] image = {1, 2, 3, 4};

        Job job = client().build()
                .submit(
                        image,
                        SubmitOptions.defaults()
                                .withModel("gaussian")
                                .withStrength(0.5)
                                .withMetadata(Map.of("k", "v"))
                                .withCancelAfter(Duration.ofSeconds(90))
                                .withPreferWait(Duration.ofSeconds(5)));

        assertThat(job.id()).isEqualTo("j2");
        List<ScriptedServer.Seen> posts = server.seen();
        assertThat(posts).hasSize(2);
        String key = posts.get(0).header("Idempotency-Key");
        assertThat(key).isNotBlank();
        assertThat(posts.get(1).header("Idempotency-Key")).isEqualTo(key);
        assertThat(posts.get(0).header("Cancel-After")).isEqualTo("90s");
        assertThat(posts.get(0).header("Prefer")).isEqualTo("wait=5");
        JsonNode body = MAPPER.readTree(posts.get(0).body());
        assertThat(Base64.getDecoder().decode(body.get("image").asText())).isEqualTo(image);
        assertThat(body.get("model").asText()).isEqualTo("gaussian");
        assertThat(body.get("strength").asDouble()).isEqualTo(0.5);
        assertThat(body.get("metadata").get("k").asText()).isEqualTo("v");
        assertThat(body.has("upload_id")).isFalse();

        client().build().submit(image, SubmitOptions.defaults());
        assertThat(server.seen().get(2).header("Idempotency-Key")).isNotEqualTo(key);
    }

    @Test
    void doesNotRetryWhatWouldRepeatAnAction() {
        server.on("POST /v1/jobs/j3/retry", json(503, QUEUE_FULL, "Retry-After", "0"));

        assertThatThrownBy(() -> client().build().retry("j3")).isInstanceOf(ApiException.class);
        assertThat(server.seen()).hasSize(1);
    }

    @Test
    void anErrorPageThatIsNoProblemKeepsItsBody() {
        server.on("GET /v1/jobs/j4", bytes(502, "text/html", "<html>bad gateway</html>".getBytes()));

        ApiException error =
                catchThrowableOfType(ApiException.class, () -> client().build().get("j4"));

        assertThat(error.status()).isEqualTo(502);
        assertThat(error.problem()).isEqualTo(new Problem(null, null, null, null, null));
        assertThat(error.reason()).isEmpty();
        assertThat(error.body()).isEqualTo("<html>bad gateway</html>");
        assertThat(error).hasMessageContaining("502 <html>bad gateway</html>");
    }

    @Test
    void aCallWithoutAnAnswerInTimeIsATransportFailure() {
        server.on("GET /v1/jobs/slow", exchange -> sleep(Duration.ofSeconds(3)));

        long began = System.nanoTime();
        TransportException failure = catchThrowableOfType(
                TransportException.class,
                () -> client().timeout(Duration.ofMillis(300)).build().get("slow"));

        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(2));
        assertThat(failure).hasMessageContaining("GET " + server.url() + "/v1/jobs/slow");
        assertThat(failure).hasCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void aBodyThatStallsAfterItsHeadersTimesOutToo() {
        server.on("GET /v1/jobs/stalled", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 1000);
            OutputStream out = exchange.getResponseBody();
            out.write("{\"id\":".getBytes());
            out.flush();
            sleep(Duration.ofSeconds(3));
        });

        long began = System.nanoTime();
        assertThatThrownBy(
                        () -> client().timeout(Duration.ofMillis(500)).build().get("stalled"))
                .isInstanceOf(TransportException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aRefusedConnectionIsATransportFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        assertThatThrownBy(() -> Noise2NoiseClient.builder("http://127.0.0.1:" + closedPort)
                        .build()
                        .get("j"))
                .isInstanceOf(TransportException.class)
                .isNotInstanceOf(ApiException.class)
                .hasMessageStartingWith("GET http://127.0.0.1:" + closedPort + "/v1/jobs/j: ");
    }

    @Test
    void waitForLongPollsUntilTheJobEnds() {
        server.on(
                "GET /v1/jobs/j5",
                json(200, job("j5", "queued")),
                json(200, job("j5", "running")),
                json(200, job("j5", "succeeded")));

        Job job = client().pollInterval(Duration.ofMillis(50)).build().waitFor("j5", Duration.ofSeconds(30));

        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        List<ScriptedServer.Seen> gets = server.seen();
        assertThat(gets).hasSize(3);
        assertThat(gets.get(0).header("Prefer")).isNull();
        assertThat(gets.get(1).header("Prefer")).isEqualTo("wait=29");
    }

    @Test
    void waitForStopsAtItsDeadlineWithTheLastView() {
        // a gateway over its waiter caps answers long polls at once
        server.on("GET /v1/jobs/j6", json(200, job("j6", "running")));

        long began = System.nanoTime();
        WaitTimeoutException late = catchThrowableOfType(
                WaitTimeoutException.class,
                () -> client().pollInterval(Duration.ofMillis(200)).build().waitFor("j6", Duration.ofMillis(1500)));

        Duration took = Duration.ofNanos(System.nanoTime() - began);
        assertThat(took).isBetween(Duration.ofMillis(1500), Duration.ofMillis(3000));
        assertThat(late.job().status()).isEqualTo(JobStatus.RUNNING);
        List<ScriptedServer.Seen> gets = server.seen();
        // paced by the poll interval (1.5 s / 200 ms), not a busy loop; fewer on a busy machine
        assertThat(gets.size()).isBetween(2, 10);
        assertThat(gets.subList(1, gets.size()))
                .allSatisfy(get -> assertThat(get.header("Prefer")).isEqualTo("wait=1"));
    }

    @Test
    void allJobsFollowsThePageTokensThroughEmptyPages() {
        server.on(
                "GET /v1/jobs",
                json(
                        200,
                        "{\"jobs\":[" + job("a", "succeeded") + "," + job("b", "succeeded") + "],"
                                + "\"nextPageToken\":\"t1\"}"),
                json(200, "{\"jobs\":[],\"nextPageToken\":\"t/2\"}"),
                json(200, "{\"jobs\":[" + job("c", "succeeded") + "],\"nextPageToken\":null}"));

        List<String> ids = new ArrayList<>();
        client().build()
                .allJobs(JobQuery.all().withStatus(JobStatus.SUCCEEDED).withLimit(2))
                .forEachRemaining(job -> ids.add(job.id()));

        assertThat(ids).containsExactly("a", "b", "c");
        assertThat(server.seen())
                .extracting(ScriptedServer.Seen::query)
                .containsExactly(
                        "status=succeeded&limit=2",
                        "status=succeeded&limit=2&page_token=t1",
                        "status=succeeded&limit=2&page_token=t%2F2");
    }

    @Test
    void anImageOverTheThresholdGoesToThePresignedUrlWithoutTheKey() throws Exception {
        server.on(
                "POST /v1/uploads",
                json(
                        201,
                        "{\"upload_id\":\"up-1\",\"method\":\"PUT\",\"url\":\"" + server.url()
                                + "/bucket/uploads/up-1?X-Amz-Signature=abc\",\"expires_at\":\"2026-12-04T11:00:00Z\"}"));
        server.on("PUT /bucket/uploads/up-1", bytes(200, "text/plain", new byte[0]));
        server.on("POST /v1/jobs", json(202, job("j7", "queued")));
        byte[] image = new byte[5000];
        image[4999] = 7;

        Job job = client().uploadThreshold(4096).build().submit(image, SubmitOptions.defaults());

        assertThat(job.id()).isEqualTo("j7");
        List<ScriptedServer.Seen> seen = server.seen();
        assertThat(seen).extracting(ScriptedServer.Seen::method).containsExactly("POST", "PUT", "POST");
        assertThat(seen.get(1).body()).isEqualTo(image);
        assertThat(seen.get(1).query()).isEqualTo("X-Amz-Signature=abc");
        assertThat(seen.get(1).header("Authorization")).isNull();
        JsonNode submission = MAPPER.readTree(seen.get(2).body());
        assertThat(submission.get("upload_id").asText()).isEqualTo("up-1");
        assertThat(submission.has("image")).isFalse();
    }

    @Test
    void downloadWritesTheWholeResultOrNothing(@TempDir Path directory) throws IOException {
        byte[] result = new byte[300_000];
        for (int i = 0; i < result.length; i++) {
            result[i] = (byte) (i * 31);
        }
        server.on("GET /v1/jobs/done/result", bytes(200, "image/png", result));
        server.on(
                "GET /v1/jobs/queued/result",
                json(409, "{\"type\":\"urn:noise2noise:problem:job-state-conflict\",\"status\":409}"));
        Noise2NoiseClient client = client().build();
        Path target = directory.resolve("clean.png");

        assertThat(client.download("done", target)).isEqualTo(result.length);
        assertThat(Files.readAllBytes(target)).isEqualTo(result);
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        assertThat(client.download("done", streamed)).isEqualTo(result.length);
        assertThat(streamed.toByteArray()).isEqualTo(result);

        Path other = directory.resolve("other.png");
        assertThatThrownBy(() -> client.download("queued", other))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.reason()).contains("job-state-conflict"));
        try (var files = Files.list(directory)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void readsTheCatalogue() {
        server.on(
                "GET /v1/models",
                json(
                        200,
                        "{\"models\":[{\"name\":\"gaussian\",\"default\":true,\"available\":true,\"workers\":2,"
                                + "\"lastSeen\":\"2026-12-04T10:00:00Z\",\"card\":{\"architecture\":\"unet\","
                                + "\"channels\":3,\"noise\":\"gaussian,0,50\",\"training\":\"n2n\",\"interim\":false,"
                                + "\"validation\":{\"set\":\"kodak\",\"psnr_noisy\":20.2,\"psnr_model\":30.5}},"
                                + "\"speed\":{\"megapixelsPerSecond\":1.5,\"megapixels\":12.0}},"
                                + "{\"name\":\"poisson\",\"default\":false,\"available\":false,\"workers\":0}]}"));

        List<Model> models = client().build().models();

        assertThat(models).extracting(Model::name).containsExactly("gaussian", "poisson");
        Model gaussian = models.get(0);
        assertThat(gaussian.isDefault()).isTrue();
        assertThat(gaussian.workers()).isEqualTo(2);
        assertThat(gaussian.card().validation().psnrModel()).isEqualTo(30.5);
        assertThat(gaussian.speed().megapixelsPerSecond()).isEqualTo(1.5);
        assertThat(models.get(1).card()).isNull();
        assertThat(models.get(1).available()).isFalse();
    }

    @Test
    void anAnswerOfAnotherShapeIsNotTakenForAJob() {
        server.on("GET /v1/jobs/odd", json(200, "{\"id\":\"odd\",\"status\":\"paused\"}"));
        server.on("GET /v1/jobs/list", json(200, "[1,2]"));

        assertThatThrownBy(() -> client().build().get("odd"))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("unknown job status paused");
        assertThatThrownBy(() -> client().build().get("list"))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("a JSON object was expected");
    }

    @Test
    void idsAreSentAsOnePathSegment() {
        server.on("DELETE /v1/jobs/a%2Fb%20c", ScriptedServer.noContent());

        client().build().delete("a/b c");

        assertThat(server.seen()).extracting(ScriptedServer.Seen::path).containsExactly("/v1/jobs/a%2Fb%20c");
        assertThatThrownBy(() -> client().build().get("..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client().build().get("")).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.seen()).hasSize(1);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-12-04T10:00:00Z");

        assertThat(Noise2NoiseClient.retryAfter(Optional.of("7"), now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(Noise2NoiseClient.retryAfter(Optional.of("Fri, 04 Dec 2026 10:00:30 GMT"), now))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(Noise2NoiseClient.retryAfter(Optional.of("Fri, 04 Dec 2026 09:00:00 GMT"), now))
                .isEqualTo(Duration.ZERO);
        assertThat(Noise2NoiseClient.retryAfter(Optional.of("soon"), now)).isNull();
        assertThat(Noise2NoiseClient.retryAfter(Optional.empty(), now)).isNull();
    }

    @Test
    void readingAMemberNoTypeDeclaresIsABugCaughtAtOnce() throws IOException {
        JsonFields fields = JsonFields.of(MAPPER.readTree("{\"a\":\"x\",\"b\":\"y\"}"), List.of("a"));

        assertThat(fields.text("a")).isEqualTo("x");
        assertThatThrownBy(() -> fields.text("b")).isInstanceOf(IllegalStateException.class);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
