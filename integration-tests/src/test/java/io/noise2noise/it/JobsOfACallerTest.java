package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.testing.TestImages;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A caller's jobs on the real stack: listed newest first in pages from the per-owner index in S3,
 * deleted with every object they stored (a running one canceled first, its worker's later writes
 * finding nothing), and client metadata carried into the webhook.
 */
class JobsOfACallerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String KEY_A = "jobs-of-a-key-0123456789";
    private static final String KEY_B = "jobs-of-b-key-9876543210";
    private static final AtomicLong SEEDS = new AtomicLong(1000);

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext worker;
    private static String baseUrl;

    @BeforeAll
    static void start() throws Exception {
        Map<String, Object> keys = new HashMap<>();
        List<String> secrets = List.of(KEY_A, KEY_B);
        for (int i = 0; i < secrets.size(); i++) {
            keys.put("n2n.gateway.api-keys[" + i + "].id", "jobs-of-" + i);
            keys.put("n2n.gateway.api-keys[" + i + "].sha256", sha256(secrets.get(i)));
            keys.put("n2n.gateway.api-keys[" + i + "].requests-per-minute", "6000");
            keys.put("n2n.gateway.api-keys[" + i + "].webhook-secrets[0]", WebhookReceiver.SECRET);
        }
        gateway = Pipeline.gateway(keys);
        baseUrl = Pipeline.baseUrl(gateway);
        // one consumer: a job's message is handled only after the one before it returned
        worker = Pipeline.worker(Map.of(
                "n2n.inference.tile-size",
                "128",
                "n2n.worker.checkpoint-interval",
                "50ms",
                "n2n.worker.consumers",
                "1"));
    }

    @AfterAll
    static void stop() {
        worker.close();
        gateway.close();
    }

    @Test
    void theCallersJobsAreListedNewestFirstAcrossPages() throws Exception {
        Instant since = Instant.now();
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            newestFirst.add(
                    0,
                    submit(KEY_A, image(32, 24), Map.of(), Map.of())
                            .body()
                            .get("id")
                            .asText());
            Thread.sleep(2); // the index orders jobs of one millisecond by id
        }
        String othersJob = submit(KEY_B, image(32, 24), Map.of(), Map.of())
                .body()
                .get("id")
                .asText();

        JsonNode first = list(KEY_A, "created_after=" + since + "&limit=2");
        JsonNode second = list(
                KEY_A,
                "created_after=" + since + "&limit=2&page_token="
                        + URLEncoder.encode(first.get("nextPageToken").asText(), StandardCharsets.UTF_8));

        assertThat(first.get("jobs").findValuesAsText("id")).containsExactlyElementsOf(newestFirst.subList(0, 2));
        assertThat(second.get("jobs").findValuesAsText("id")).containsExactly(newestFirst.get(2));
        assertThat(second.get("nextPageToken").isNull()).isTrue();
        assertThat(list(KEY_B, "created_after=" + since).get("jobs").findValuesAsText("id"))
                .containsExactly(othersJob);
        HttpJson.Response invalid = HttpJson.sendWithKey(baseUrl + "/v1/jobs?limit=0", "GET", null, KEY_A);
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.raw().headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    @Test
    void aFinishedJobIsDeletedWithEverythingItStored() {
        JsonNode done = submit(KEY_A, image(48, 32), Map.of("Prefer", "wait=60"), Map.of())
                .body();
        String id = done.get("id").asText();
        assertThat(done.get("status").asText()).isEqualTo("succeeded");
        assertThat(TestBucket.count("jobs/" + id + "/", "")).isPositive();

        assertThat(HttpJson.sendWithKey(baseUrl + "/v1/jobs/" + id, "DELETE", null, KEY_B)
                        .status())
                .isEqualTo(404);
        assertThat(HttpJson.sendWithKey(baseUrl + "/v1/jobs/" + id, "DELETE", null, KEY_A)
                        .status())
                .isEqualTo(204);

        assertThat(HttpJson.sendWithKey(baseUrl + "/v1/jobs/" + id, "GET", null, KEY_A)
                        .status())
                .isEqualTo(404);
        assertThat(HttpJson.sendWithKey(baseUrl + "/v1/jobs/" + id, "DELETE", null, KEY_A)
                        .status())
                .isEqualTo(404);
        assertThat(TestBucket.count("jobs/" + id + "/", "")).isZero();
        assertThat(TestBucket.count("owners/", "-" + id)).as("its index entry").isZero();
        assertThat(TestBucket.count("owners/", "/" + id)).as("its quota marker").isZero();
    }

    @Test
    void aRunningJobIsCanceledThenDeletedAndItsWorkerWritesNothingAfter() {
        try (TopicReader results = new TopicReader("n2n.job-results")) {
            // 1600x1200 in 128-pixel tiles: a couple of hundred model runs, seconds of work
            String id = submit(KEY_A, image(1600, 1200), Map.of(), Map.of("metadata", Map.of("batch", "7")))
                    .body()
                    .get("id")
                    .asText();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        JsonNode job = HttpJson.sendWithKey(baseUrl + "/v1/jobs/" + id, "GET", null, KEY_A)
                                .body();
                        return job.has("progress")
                                && job.get("progress").get("done").asInt() > 0;
                    });

            assertThat(HttpJson.sendWithKey(baseUrl + "/v1/jobs/" + id, "DELETE", null, KEY_A)
                            .status())
                    .isEqualTo(204);

            // the worker's one consumer takes the next job only once it let go of the deleted one
            JsonNode next = submit(KEY_A, image(32, 24), Map.of("Prefer", "wait=60"), Map.of())
                    .body();
            assertThat(next.get("status").asText()).isEqualTo("succeeded");
            assertThat(HttpJson.sendWithKey(baseUrl + "/v1/jobs/" + id, "GET", null, KEY_A)
                            .status())
                    .isEqualTo(404);
            assertThat(TestBucket.count("jobs/" + id + "/", ""))
                    .as("nothing of it, nor a result written after")
                    .isZero();
            List<JsonNode> events = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> results.records(id).stream()
                                    .map(JobsOfACallerTest::json)
                                    .toList(),
                            published -> published.size() >= 2);
            assertThat(events).extracting(event -> event.get("status").asText()).containsExactly("running", "canceled");
            assertThat(events.get(1).get("spec").get("metadata").get("batch").asText())
                    .isEqualTo("7");
        }
    }

    @Test
    void metadataIsShownWithTheJobAndCarriedIntoItsWebhook() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.failingFirst(0)) {
            Map<String, String> metadata = Map.of("order", "A-1042", "customer", "acme");
            Instant since = Instant.now();
            JsonNode done = submit(
                            KEY_B,
                            image(40, 30),
                            Map.of("Prefer", "wait=60"),
                            Map.of("webhook", receiver.url(), "metadata", metadata))
                    .body();
            String id = done.get("id").asText();

            assertThat(done.get("metadata")).isEqualTo(MAPPER.valueToTree(metadata));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.verified().size() == 1);
            JsonNode delivered = receiver.verified().get(0).body();
            assertThat(delivered.get("id").asText()).isEqualTo(id);
            assertThat(delivered.get("status").asText()).isEqualTo("succeeded");
            assertThat(delivered.get("metadata")).isEqualTo(MAPPER.valueToTree(metadata));
            JsonNode listed = list(KEY_B, "created_after=" + since + "&status=succeeded");
            assertThat(listed.get("jobs").findValuesAsText("id")).containsExactly(id);
            assertThat(listed.get("jobs").get(0).get("metadata")).isEqualTo(MAPPER.valueToTree(metadata));
            HttpJson.Response tooLong =
                    submit(KEY_B, image(8, 8), Map.of(), Map.of("metadata", Map.of("k", "v".repeat(513))));
            assertThat(tooLong.status()).isEqualTo(422);
        }
    }

    @Test
    void theApiDocumentDescribesTheListingAndTheDeletion() {
        JsonNode paths = HttpJson.get(baseUrl + "/v3/api-docs").body().get("paths");

        JsonNode listing = paths.get("/v1/jobs").get("get");
        assertThat(listing.get("operationId").asText()).isEqualTo("listJobs");
        assertThat(listing.get("parameters").findValuesAsText("name"))
                .contains("status", "created_after", "page_token", "limit");
        assertThat(listing.get("responses").has("422")).isTrue();
        JsonNode deletion = paths.get("/v1/jobs/{id}").get("delete");
        assertThat(deletion.get("operationId").asText()).isEqualTo("deleteJob");
        assertThat(deletion.get("responses").has("204")).isTrue();
        assertThat(deletion.get("responses").has("200")).isFalse();
    }

    private static JsonNode list(String key, String query) {
        HttpJson.Response page = HttpJson.sendWithKey(baseUrl + "/v1/jobs?" + query, "GET", null, key);
        assertThat(page.status()).isEqualTo(200);
        return page.body();
    }

    private static HttpJson.Response submit(
            String key, String image, Map<String, String> headers, Map<String, Object> fields) {
        Map<String, Object> body = new HashMap<>(fields);
        body.put("image", image);
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)));
            headers.forEach(request::header);
            return HttpJson.send(request.build());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String image(int width, int height) {
        long seed = SEEDS.incrementAndGet();
        return Base64.getEncoder()
                .encodeToString(TestImages.encode(
                        TestImages.withGaussianNoise(TestImages.scene(width, height, seed), 20, seed), "png"));
    }

    private static JsonNode json(ConsumerRecord<String, byte[]> record) {
        try {
            return MAPPER.readTree(record.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
