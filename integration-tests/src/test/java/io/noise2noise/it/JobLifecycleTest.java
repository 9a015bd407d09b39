package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A job's life beyond the happy path: cancel, deadlines, idempotency, retry, waiting inline, and
 * expiry from storage. Each test makes the jobs it needs, in any order. Jobs that must stay queued
 * are submitted through a second gateway whose jobs topic no worker reads (the two share the bucket,
 * so either answers for any job); a test hands such a job to the worker when it wants it taken.
 */
class JobLifecycleTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String UNREAD_JOBS_TOPIC = "n2n.jobs.lifecycle-unread";
    /** Image seeds: every job's image differs, so no two requests are alike by accident. */
    private static final AtomicLong SEEDS = new AtomicLong();

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext unattendedGateway;
    private static ConfigurableApplicationContext worker;
    private static DirectJobs toWorker;
    private static String baseUrl;
    private static String unattendedUrl;

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(Map.of());
        baseUrl = Pipeline.baseUrl(gateway);
        unattendedGateway = Pipeline.gateway(Map.of("n2n.topics.jobs", UNREAD_JOBS_TOPIC));
        unattendedUrl = Pipeline.baseUrl(unattendedGateway);
        worker = Pipeline.worker(Map.of("n2n.inference.tile-size", "128", "n2n.worker.checkpoint-interval", "50ms"));
        toWorker = DirectJobs.of(worker);
    }

    @AfterAll
    static void stop() {
        worker.close();
        unattendedGateway.close();
        gateway.close();
    }

    @Test
    void queuedJobsCanBeCanceledAndExpireAtTheirDeadline() {
        String expiredId = submit(unattendedUrl, image(64, 48), Map.of("Cancel-After", "1s"))
                .body()
                .get("id")
                .asText();
        String canceledId =
                submit(unattendedUrl, image(64, 48), Map.of()).body().get("id").asText();

        HttpJson.Response canceled = post("/v1/jobs/" + canceledId + "/cancel");

        assertThat(canceled.status()).isEqualTo(200);
        assertThat(canceled.body().get("status").asText()).isEqualTo("canceled");
        assertThat(canceled.body().get("error").get("code").asText()).isEqualTo("canceled");
        assertThat(post("/v1/jobs/" + canceledId + "/cancel")
                        .body()
                        .get("status")
                        .asText())
                .isEqualTo("canceled");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(expiredId).equals("expired"));

        // no worker has reached it, so its record still says queued: retry and cancel go by the deadline
        HttpJson.Response retried = post(unattendedUrl, "/v1/jobs/" + expiredId + "/retry");
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.body().get("retry_of").asText()).isEqualTo(expiredId);
        HttpJson.Response cancelExpired = post("/v1/jobs/" + expiredId + "/cancel");
        assertThat(cancelExpired.status()).isEqualTo(200);
        assertThat(cancelExpired.body().get("status").asText()).isEqualTo("expired");
    }

    @Test
    void anIdempotencyKeyReturnsTheSameJobAndRefusesAnotherRequest() {
        String key = "order-" + JobIds.newId();
        String image = image(40, 40);

        JsonNode first = submit(image, Map.of("Idempotency-Key", key)).body();
        JsonNode again = submit(image, Map.of("Idempotency-Key", key)).body();
        HttpJson.Response other = submit(image(40, 40), Map.of("Idempotency-Key", key));

        assertThat(again.get("id").asText()).isEqualTo(first.get("id").asText());
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.body().get("detail").asText()).contains("Idempotency-Key");
    }

    @Test
    void aWorkerSkipsCanceledAndExpiredJobsAndRunsTheRest() {
        String canceledId = canceledJob();
        String expiredId = expiredJob();
        String queuedId =
                submit(unattendedUrl, image(48, 40), Map.of()).body().get("id").asText();

        toWorker.request(canceledId);
        toWorker.request(expiredId);
        toWorker.request(queuedId);

        await().atMost(Duration.ofSeconds(60)).until(() -> status(queuedId).equals("succeeded"));
        JsonNode canceled = HttpJson.get(baseUrl + "/v1/jobs/" + canceledId).body();
        assertThat(canceled.get("status").asText()).isEqualTo("canceled");
        assertThat(canceled.has("started_at")).isFalse();
        JsonNode expired = HttpJson.get(baseUrl + "/v1/jobs/" + expiredId).body();
        assertThat(expired.get("status").asText()).isEqualTo("expired");
        assertThat(expired.get("error").get("code").asText()).isEqualTo("expired");
        assertThat(expired.has("started_at")).isFalse();
    }

    @Test
    void failedCanceledOrExpiredJobsCanBeRetriedAsNewJobs() {
        String canceledId = canceledJob();
        String expiredId = expiredJob();
        String succeededId = submit(image(40, 32), Map.of("Prefer", "wait=30"))
                .body()
                .get("id")
                .asText();

        HttpJson.Response retriedCanceled = post("/v1/jobs/" + canceledId + "/retry");
        HttpJson.Response retriedExpired = post("/v1/jobs/" + expiredId + "/retry");
        HttpJson.Response notAgain = post("/v1/jobs/" + succeededId + "/retry");

        for (HttpJson.Response retried : List.of(retriedCanceled, retriedExpired)) {
            assertThat(retried.status()).isEqualTo(202);
            String retryId = retried.body().get("id").asText();
            assertThat(retryId).isNotIn(canceledId, expiredId);
            await().atMost(Duration.ofSeconds(60)).until(() -> status(retryId).equals("succeeded"));
        }
        assertThat(retriedCanceled.body().get("retry_of").asText()).isEqualTo(canceledId);
        assertThat(retriedExpired.body().get("retry_of").asText()).isEqualTo(expiredId);
        assertThat(notAgain.status()).isEqualTo(409);
    }

    @Test
    void aRunningJobStopsBetweenTilesWhenCanceled() {
        // 1600x1200 in 128-pixel tiles: a couple of hundred model runs, seconds of work
        String id = submit(image(1600, 1200), Map.of()).body().get("id").asText();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    JsonNode job = HttpJson.get(baseUrl + "/v1/jobs/" + id).body();
                    return job.has("progress")
                            && job.get("progress").get("done").asInt() > 0;
                });

        HttpJson.Response cancel = post("/v1/jobs/" + id + "/cancel");

        assertThat(cancel.status()).isEqualTo(202);
        JsonNode canceled = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> HttpJson.get(baseUrl + "/v1/jobs/" + id).body(),
                        job -> job.get("status").asText().equals("canceled"));
        assertThat(canceled.get("error").get("message").asText()).contains("canceled by request after");
        assertThat(canceled.get("progress").get("done").asInt())
                .isLessThan(canceled.get("progress").get("total").asInt());
        assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result").status())
                .isEqualTo(409);
    }

    @Test
    void preferWaitAnswersWithTheFinishedJob() {
        HttpJson.Response response = submit(image(64, 64), Map.of("Prefer", "wait=30"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.raw().headers().firstValue("Preference-Applied")).contains("wait=30");
        assertThat(response.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(response.body().get("result_url").asText()).endsWith("/result");
    }

    @Test
    void theResultCanBeAskedForInAnotherFormat() {
        HttpJson.Response jpeg = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"image\": \"" + image(64, 48) + "\", \"format\": \"jpg\", \"quality\": 0.8}"))
                .build());
        HttpJson.Response unknown = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image(8, 8), "format", "psd"));

        assertThat(jpeg.body().get("status").asText()).isEqualTo("succeeded");
        HttpJson.Response result =
                HttpJson.get(baseUrl + jpeg.body().get("result_url").asText());
        assertThat(result.raw().headers().firstValue("Content-Type")).contains("image/jpeg");
        assertThat(TestImages.decode(result.raw().body()).getWidth()).isEqualTo(64);
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.body().get("detail").asText()).contains("cannot be written");
    }

    @Test
    void aRawImageBodyIsAJobToo() {
        byte[] png = TestImages.encode(TestImages.scene(50, 30, SEEDS.incrementAndGet()), "png");

        HttpJson.Response response = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs?strength=0.5"))
                .header("Content-Type", "image/png")
                .header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                .build());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("strength").asDouble()).isEqualTo(0.5);
        assertThat(response.body().get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void aMultipartUploadIsAJobToo() {
        byte[] png = TestImages.encode(TestImages.scene(40, 30, SEEDS.incrementAndGet()), "png");
        String boundary = "n2n-test-boundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"strength\"\r\n\r\n0.25\r\n"
                        + "--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"webhook_events_filter\"\r\n\r\ncompleted\r\n"
                        + "--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"noisy.png\"\r\n"
                        + "Content-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + png.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(png, 0, body, head.length, png.length);
        System.arraycopy(tail, 0, body, head.length + png.length, tail.length);

        HttpJson.Response response = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("strength").asDouble()).isEqualTo(0.25);
        assertThat(response.body().get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void identicalRequestsRacingWithOneIdempotencyKeyCreateOneJob() throws Exception {
        String key = "race-" + JobIds.newId();
        String image = image(36, 28);
        long jobsBefore = TestBucket.count("jobs/", "/job.json");
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpJson.Response>> responses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                responses.add(clients.submit(() -> {
                    start.await();
                    return submit(image, Map.of("Idempotency-Key", key));
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
    void aResultExpiredFromStorageIsGoneWhileTheJobIsStillShown() {
        String id = submit(image(40, 32), Map.of("Prefer", "wait=30"))
                .body()
                .get("id")
                .asText();
        assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result").status())
                .isEqualTo(200);

        // what the bucket's lifecycle rule does after n2n.storage.retention-days
        TestBucket.expire(JobKeys.result(id, 1));
        TestBucket.expire(JobKeys.input(id));

        HttpJson.Response result = HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result");
        assertThat(result.status()).isEqualTo(410);
        assertThat(result.raw().headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(result.body().get("detail").asText()).contains("no longer stored");
        JsonNode job = HttpJson.get(baseUrl + "/v1/jobs/" + id).body();
        assertThat(job.get("status").asText()).isEqualTo("succeeded");
        assertThat(job.get("result_expired").asBoolean()).isTrue();
        assertThat(job.has("result_url")).isFalse();
        assertThat(job.has("result_download_url")).isFalse();
    }

    @Test
    void aJobWhoseInputExpiredCannotBeRetried() {
        String canceledId = canceledJob();
        TestBucket.expire(JobKeys.input(canceledId));

        HttpJson.Response retry = post("/v1/jobs/" + canceledId + "/retry");

        assertThat(retry.status()).isEqualTo(410);
        assertThat(retry.body().get("detail").asText()).contains("expired");
    }

    @Test
    void aJobWhoseRecordExpiredIsUnknownAndTheLegacyRouteCarriesOn() {
        String id = submit(image(40, 32), Map.of("Prefer", "wait=30"))
                .body()
                .get("id")
                .asText();

        TestBucket.expire(JobKeys.record(id));

        for (HttpJson.Response response : List.of(
                HttpJson.get(baseUrl + "/v1/jobs/" + id),
                HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result"),
                post("/v1/jobs/" + id + "/cancel"),
                post("/v1/jobs/" + id + "/retry"))) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.raw().headers().firstValue("Content-Type")).contains("application/problem+json");
        }
        HttpJson.Response legacy = HttpJson.post(baseUrl + "/", Map.of("base64Image", image(32, 24)));
        assertThat(legacy.status()).isEqualTo(200);
        assertThat(legacy.body().get("code").asInt()).isZero();
    }

    /** A job canceled while queued, never seen by a worker. */
    private static String canceledJob() {
        String id =
                submit(unattendedUrl, image(40, 32), Map.of()).body().get("id").asText();
        assertThat(post("/v1/jobs/" + id + "/cancel").body().get("status").asText())
                .isEqualTo("canceled");
        return id;
    }

    /** A job whose deadline passed while it was queued, never seen by a worker. */
    private static String expiredJob() {
        String id = submit(unattendedUrl, image(40, 32), Map.of("Cancel-After", "1s"))
                .body()
                .get("id")
                .asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("expired"));
        return id;
    }

    private static String image(int width, int height) {
        long seed = SEEDS.incrementAndGet();
        return Base64.getEncoder()
                .encodeToString(TestImages.encode(
                        TestImages.withGaussianNoise(TestImages.scene(width, height, seed), 20, seed), "png"));
    }

    private static HttpJson.Response submit(String image, Map<String, String> headers) {
        return submit(baseUrl, image, headers);
    }

    private static HttpJson.Response submit(String gatewayUrl, String image, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(Map.of("image", image))));
            headers.forEach(request::header);
            return HttpJson.send(request.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpJson.Response post(String path) {
        return post(baseUrl, path);
    }

    private static HttpJson.Response post(String gatewayUrl, String path) {
        return HttpJson.send(HttpRequest.newBuilder(URI.create(gatewayUrl + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private static String status(String id) {
        return HttpJson.get(baseUrl + "/v1/jobs/" + id).body().get("status").asText();
    }
}
