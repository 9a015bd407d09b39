package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.job.JobKeys;
import io.noise2noise.testing.TestImages;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A job's life beyond the happy path: cancel, deadlines, idempotency, retry, waiting inline, and
 * expiry from storage. The first tests run with no worker at all, so jobs stay queued; the worker
 * joins later.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobLifecycleTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext worker;
    private static String baseUrl;
    private static String expiredId;
    private static String canceledId;
    private static String idempotentId;
    private static String expiredRetryId;

    @BeforeAll
    static void startGatewayOnly() {
        gateway = Pipeline.gateway(Map.of());
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        gateway.close();
    }

    @Test
    @Order(1)
    void queuedJobsCanBeCanceledAndExpireAtTheirDeadline() {
        expiredId = submit(image(64, 48, 1), Map.of("Cancel-After", "1s")).body().get("id").asText();
        canceledId = submit(image(64, 48, 2), Map.of()).body().get("id").asText();

        HttpJson.Response canceled = post("/v1/jobs/" + canceledId + "/cancel");

        assertThat(canceled.status()).isEqualTo(200);
        assertThat(canceled.body().get("status").asText()).isEqualTo("canceled");
        assertThat(canceled.body().get("error").get("code").asText()).isEqualTo("canceled");
        assertThat(post("/v1/jobs/" + canceledId + "/cancel").body().get("status").asText()).isEqualTo("canceled");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(expiredId).equals("expired"));

        // no worker has reached it yet, so its record still says queued: retry and cancel go by the deadline
        HttpJson.Response retried = post("/v1/jobs/" + expiredId + "/retry");
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.body().get("retry_of").asText()).isEqualTo(expiredId);
        expiredRetryId = retried.body().get("id").asText();
        HttpJson.Response cancelExpired = post("/v1/jobs/" + expiredId + "/cancel");
        assertThat(cancelExpired.status()).isEqualTo(200);
        assertThat(cancelExpired.body().get("status").asText()).isEqualTo("expired");
    }

    @Test
    @Order(2)
    void anIdempotencyKeyReturnsTheSameJobAndRefusesAnotherRequest() {
        String image = image(40, 40, 3);

        JsonNode first = submit(image, Map.of("Idempotency-Key", "order-42")).body();
        JsonNode again = submit(image, Map.of("Idempotency-Key", "order-42")).body();
        HttpJson.Response other = submit(image(40, 40, 4), Map.of("Idempotency-Key", "order-42"));

        assertThat(again.get("id").asText()).isEqualTo(first.get("id").asText());
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.body().get("detail").asText()).contains("Idempotency-Key");
        idempotentId = first.get("id").asText();
    }

    @Test
    @Order(3)
    void aWorkerSkipsCanceledAndExpiredJobsAndRunsTheRest() {
        worker = Pipeline.worker(Map.of("n2n.inference.tile-size", "128", "n2n.worker.checkpoint-interval", "50ms"));

        await().atMost(Duration.ofSeconds(60)).until(() -> status(idempotentId).equals("succeeded"));
        assertThat(status(canceledId)).isEqualTo("canceled");
        JsonNode expired = HttpJson.get(baseUrl + "/v1/jobs/" + expiredId).body();
        assertThat(expired.get("status").asText()).isEqualTo("expired");
        assertThat(expired.get("error").get("code").asText()).isEqualTo("expired");
        assertThat(expired.has("started_at")).isFalse();
    }

    @Test
    @Order(4)
    void failedCanceledOrExpiredJobsCanBeRetriedAsNewJobs() {
        HttpJson.Response retried = post("/v1/jobs/" + canceledId + "/retry");
        HttpJson.Response notAgain = post("/v1/jobs/" + idempotentId + "/retry");

        assertThat(retried.status()).isEqualTo(202);
        String retryId = retried.body().get("id").asText();
        assertThat(retryId).isNotEqualTo(canceledId);
        assertThat(retried.body().get("retry_of").asText()).isEqualTo(canceledId);
        await().atMost(Duration.ofSeconds(60)).until(() -> status(retryId).equals("succeeded"));
        await().atMost(Duration.ofSeconds(60)).until(() -> status(expiredRetryId).equals("succeeded"));
        assertThat(notAgain.status()).isEqualTo(409);
    }

    @Test
    @Order(5)
    void aRunningJobStopsBetweenTilesWhenCanceled() {
        // 1600x1200 in 128-pixel tiles: a couple of hundred model runs, seconds of work
        String id = submit(image(1600, 1200, 5), Map.of()).body().get("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode job = HttpJson.get(baseUrl + "/v1/jobs/" + id).body();
            return job.has("progress") && job.get("progress").get("done").asInt() > 0;
        });

        HttpJson.Response cancel = post("/v1/jobs/" + id + "/cancel");

        assertThat(cancel.status()).isEqualTo(202);
        JsonNode canceled = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> HttpJson.get(baseUrl + "/v1/jobs/" + id).body(),
                        job -> job.get("status").asText().equals("canceled"));
        assertThat(canceled.get("error").get("message").asText()).contains("canceled by request after");
        assertThat(canceled.get("progress").get("done").asInt())
                .isLessThan(canceled.get("progress").get("total").asInt());
        assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result").status()).isEqualTo(409);
    }

    @Test
    @Order(6)
    void preferWaitAnswersWithTheFinishedJob() {
        HttpJson.Response response = submit(image(64, 64, 6), Map.of("Prefer", "wait=30"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.raw().headers().firstValue("Preference-Applied")).contains("wait=30");
        assertThat(response.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(response.body().get("result_url").asText()).endsWith("/result");
    }

    @Test
    @Order(7)
    void theResultCanBeAskedForInAnotherFormat() {
        HttpJson.Response jpeg = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "application/json").header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofString("{\"image\": \"" + image(64, 48, 8)
                        + "\", \"format\": \"jpg\", \"quality\": 0.8}")).build());
        HttpJson.Response unknown = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image(8, 8, 9), "format", "psd"));

        assertThat(jpeg.body().get("status").asText()).isEqualTo("succeeded");
        HttpJson.Response result = HttpJson.get(baseUrl + jpeg.body().get("result_url").asText());
        assertThat(result.raw().headers().firstValue("Content-Type")).contains("image/jpeg");
        assertThat(TestImages.decode(result.raw().body()).getWidth()).isEqualTo(64);
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.body().get("detail").asText()).contains("cannot be written");
    }

    @Test
    @Order(8)
    void aRawImageBodyIsAJobToo() {
        byte[] png = TestImages.encode(TestImages.scene(50, 30, 7), "png");

        HttpJson.Response response = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs?strength=0.5"))
                .header("Content-Type", "image/png").header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("strength").asDouble()).isEqualTo(0.5);
        assertThat(response.body().get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    @Order(9)
    void aMultipartUploadIsAJobToo() {
        byte[] png = TestImages.encode(TestImages.scene(40, 30, 10), "png");
        String boundary = "n2n-test-boundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"strength\"\r\n\r\n0.25\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"webhook_events_filter\"\r\n\r\ncompleted\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"noisy.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + png.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(png, 0, body, head.length, png.length);
        System.arraycopy(tail, 0, body, head.length + png.length, tail.length);

        HttpJson.Response response = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("strength").asDouble()).isEqualTo(0.25);
        assertThat(response.body().get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    @Order(10)
    void identicalRequestsRacingWithOneIdempotencyKeyCreateOneJob() throws Exception {
        String image = image(36, 28, 11);
        long jobsBefore = TestBucket.count("jobs/", "/job.json");
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpJson.Response>> responses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                responses.add(clients.submit(() -> {
                    start.await();
                    return submit(image, Map.of("Idempotency-Key", "race-7"));
                }));
            }
            start.countDown();
            Set<String> ids = new HashSet<>();
            for (Future<HttpJson.Response> response : responses) {
                HttpJson.Response answer = response.get(60, TimeUnit.SECONDS);
                assertThat(answer.status()).isIn(200, 202);
                ids.add(answer.body().get("id").asText());
            }
            assertThat(ids).hasSize(1);
            assertThat(TestBucket.count("jobs/", "/job.json") - jobsBefore).isEqualTo(1);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    @Order(11)
    void aResultExpiredFromStorageIsGoneWhileTheJobIsStillShown() {
        String id = submit(image(40, 32, 12), Map.of("Prefer", "wait=30")).body().get("id").asText();
        assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result").status()).isEqualTo(200);

        // what the bucket's lifecycle rule does after n2n.storage.retention-days
        TestBucket.expire(JobKeys.result(id, 1));
        TestBucket.expire("jobs/" + id + "/input");

        HttpJson.Response result = HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result");
        assertThat(result.status()).isEqualTo(410);
        assertThat(result.raw().headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(result.body().get("detail").asText()).contains("no longer stored");
        JsonNode job = HttpJson.get(baseUrl + "/v1/jobs/" + id).body();
        assertThat(job.get("status").asText()).isEqualTo("succeeded");
        assertThat(job.get("result_expired").asBoolean()).isTrue();
        assertThat(job.has("result_url")).isFalse();
        assertThat(job.has("result_download_url")).isFalse();

        TestBucket.expire("jobs/" + canceledId + "/input");
        HttpJson.Response retry = post("/v1/jobs/" + canceledId + "/retry");
        assertThat(retry.status()).isEqualTo(410);
        assertThat(retry.body().get("detail").asText()).contains("expired");
    }

    @Test
    @Order(12)
    void aJobWhoseRecordExpiredIsUnknownAndTheLegacyRouteCarriesOn() {
        String id = submit(image(40, 32, 13), Map.of("Prefer", "wait=30")).body().get("id").asText();

        TestBucket.expire("jobs/" + id + "/job.json");

        for (HttpJson.Response response : List.of(HttpJson.get(baseUrl + "/v1/jobs/" + id),
                HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result"), post("/v1/jobs/" + id + "/cancel"),
                post("/v1/jobs/" + id + "/retry"))) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.raw().headers().firstValue("Content-Type")).contains("application/problem+json");
        }
        HttpJson.Response legacy = HttpJson.post(baseUrl + "/", Map.of("base64Image", image(32, 24, 14)));
        assertThat(legacy.status()).isEqualTo(200);
        assertThat(legacy.body().get("code").asInt()).isZero();
    }

    private static String image(int width, int height, long seed) {
        return Base64.getEncoder().encodeToString(
                TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(width, height, seed), 20, seed), "png"));
    }

    private static HttpJson.Response submit(String image, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(Map.of("image", image))));
            headers.forEach(request::header);
            return HttpJson.send(request.build());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpJson.Response post(String path) {
        return HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private static String status(String id) {
        return HttpJson.get(baseUrl + "/v1/jobs/" + id).body().get("status").asText();
    }
}
