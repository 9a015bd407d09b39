package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.noise2noise.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole data path with real parts: HTTP → gateway → S3 → Kafka → worker (DJL TensorFlow) → S3 →
 * Kafka → gateway → poll, webhook and the legacy route.
 */
class PipelineTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext worker;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(Map.of());
        worker = Pipeline.worker(Map.of());
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        worker.close();
        gateway.close();
    }

    @Test
    void legacyClientGetsADenoisedImageOfTheSameSize() {
        BufferedImage clean = TestImages.scene(160, 120, 1);
        BufferedImage noisy = TestImages.withGaussianNoise(clean, 25, 2);
        String payload = Base64.getEncoder().encodeToString(TestImages.encode(noisy, "png"));

        HttpJson.Response response = HttpJson.post(baseUrl + "/", Map.of("base64Image", payload));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().get("code").asInt()).isZero();
        assertThat(response.body().get("msg").asText()).isEqualTo("SUCCESS");
        BufferedImage denoised = TestImages.decode(Base64.getDecoder()
                .decode(response.body().get("data").get("base64Image").asText()));
        assertThat(denoised.getWidth()).isEqualTo(160);
        assertThat(denoised.getHeight()).isEqualTo(120);
        double before = TestImages.psnr(clean, noisy);
        double after = TestImages.psnr(clean, denoised);
        assertThat(after).as("PSNR after denoising vs %.2f dB before", before).isGreaterThan(before + 3);
    }

    @Test
    void legacyClientSendingSomethingElseGetsTheLegacyErrorShape() {
        String notAnImage = Base64.getEncoder().encodeToString("hello, I am text".getBytes());

        HttpJson.Response garbage = HttpJson.post(baseUrl + "/", Map.of("base64Image", notAnImage));
        HttpJson.Response notBase64 = HttpJson.post(baseUrl + "/", Map.of("base64Image", "%%%"));
        HttpJson.Response missing = HttpJson.post(baseUrl + "/", Map.of("image", "x"));

        for (HttpJson.Response response : List.of(garbage, notBase64, missing)) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body().get("code").asInt()).isEqualTo(-1);
            assertThat(response.body().has("data")).isTrue();
            assertThat(response.body().get("data").isNull()).isTrue();
        }
        assertThat(garbage.body().get("msg").asText()).contains("not an image");
        assertThat(notBase64.body().get("msg").asText()).contains("not valid base64");
        assertThat(missing.body().get("msg").asText()).contains("base64Image is required");
    }

    @Test
    void asyncJobCanBePolledAndNotifiesItsSignedWebhook() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.failingFirst(1)) {
            byte[] jpeg = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(200, 150, 3), 20, 4), "jpeg");

            HttpJson.Response submitted = HttpJson.post(
                    baseUrl + "/v1/jobs",
                    Map.of(
                            "image",
                            Base64.getEncoder().encodeToString(jpeg),
                            "webhook",
                            receiver.url(),
                            "webhook_events_filter",
                            List.of("start", "completed")));

            assertThat(submitted.status()).isEqualTo(202);
            String id = submitted.body().get("id").asText();
            assertThat(submitted.raw().headers().firstValue("Location")).contains("/v1/jobs/" + id);
            assertThat(submitted.body().get("status").asText()).isEqualTo("queued");

            JsonNode finished = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> HttpJson.get(baseUrl + "/v1/jobs/" + id).body(),
                            job -> job.get("status").asText().equals("succeeded"));
            assertThat(finished.get("created_at").asText()).isNotBlank();
            assertThat(finished.get("started_at").asText()).isNotBlank();
            assertThat(finished.get("completed_at").asText()).isNotBlank();
            assertThat(finished.get("queue_delay_ms").asLong()).isNotNegative();
            assertThat(finished.get("execution_time_ms").asLong()).isPositive();
            // no model named: the worker chose one for the image (Gaussian noise, JPEG'd) and says why
            String modelUsed = finished.get("model_used").asText();
            assertThat(modelUsed).isIn("gaussian", "camera");
            assertThat(finished.get("model_reason").asText())
                    .startsWith("auto: " + modelUsed + " — ")
                    .contains("noise sd");
            assertThat(finished.get("progress").get("done").asInt())
                    .isEqualTo(finished.get("progress").get("total").asInt());
            assertThat(finished.get("noise_sigma").asDouble()).isBetween(10.0, 30.0);

            HttpJson.Response result =
                    HttpJson.get(baseUrl + finished.get("result_url").asText());
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.raw().headers().firstValue("Content-Type")).contains("image/jpeg");
            BufferedImage denoised = TestImages.decode(result.raw().body());
            assertThat(new int[] {denoised.getWidth(), denoised.getHeight()}).containsExactly(200, 150);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.verified().size() == 2);
            assertThat(receiver.verified())
                    .extracting(delivery -> delivery.body().get("status").asText())
                    .containsExactlyInAnyOrder("running", "succeeded");
            assertThat(receiver.verified())
                    .allMatch(delivery -> delivery.body().get("id").asText().equals(id));
            assertThat(receiver.verified())
                    .filteredOn(
                            delivery -> delivery.body().get("status").asText().equals("succeeded"))
                    .extracting(delivery -> delivery.body().get("model_reason").asText())
                    .containsExactly(finished.get("model_reason").asText());
            assertThat(receiver.attemptIds())
                    .as("the failed first attempt and its retry share a webhook-id")
                    .hasSize(3)
                    .containsOnly("msg_" + id + "_start", "msg_" + id + "_completed");
            JsonNode deliveries = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> HttpJson.webhookDeliveries(baseUrl, id),
                            node -> node.size() == 2
                                    && node.findValues("delivered").stream().allMatch(JsonNode::asBoolean));
            assertThat(deliveries.findValuesAsText("attempts")).containsExactlyInAnyOrder("2", "1");
        }
    }

    @Test
    void aReceiversRetryAfterIsHonouredBeforeTheNextAttempt() throws Exception {
        // the first retry topic's own delay is about 0.2 s here (Pipeline), far below the 3 s asked for
        try (WebhookReceiver receiver = WebhookReceiver.failingFirst(1, "3")) {
            String png = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(48, 32, 11), "png"));
            String id = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", png, "webhook", receiver.url()))
                    .body()
                    .get("id")
                    .asText();

            JsonNode waiting = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> HttpJson.webhookDeliveries(baseUrl, id),
                            node -> node.size() == 1 && node.get(0).has("retry_after_seconds"));
            assertThat(waiting.get(0).get("delivered").asBoolean()).isFalse();
            assertThat(waiting.get(0).get("last_status").asInt()).isEqualTo(503);
            assertThat(waiting.get(0).get("retry_after_seconds").asLong()).isEqualTo(3);
            assertThat(waiting.get(0).get("not_before").asText()).isNotBlank();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> receiver.verified().size() == 1);
            assertThat(receiver.attemptTimes()).hasSize(2);
            assertThat(Duration.between(
                            receiver.attemptTimes().get(0),
                            receiver.attemptTimes().get(1)))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
            assertThat(receiver.verified().get(0).id()).isEqualTo("msg_" + id + "_completed");
            assertThat(receiver.verified().get(0).body().get("status").asText()).isEqualTo("succeeded");
            JsonNode delivered = await().atMost(Duration.ofSeconds(10))
                    .until(
                            () -> HttpJson.webhookDeliveries(baseUrl, id).get(0),
                            node -> node.get("delivered").asBoolean());
            assertThat(delivered.get("attempts").asInt()).isEqualTo(2);
            assertThat(keysOn("n2n.job-results-webhook-retry-0")).contains(id);
            assertThat(keysOn("n2n.job-results-webhook-retry-1"))
                    .as("the retry waited in the first retry topic instead of failing on to the next")
                    .doesNotContain(id);
            assertThat(receiver.attemptTimes())
                    .as("delivered once, never again")
                    .hasSize(2);
        }
    }

    /** The keys of every record on {@code topic} so far. */
    private static List<String> keysOn(String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Backend.get().kafkaBootstrap());
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<String> keys = new java.util.ArrayList<>();
            Instant deadline = Instant.now().plusSeconds(10);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))
                    && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> keys.add(record.key()));
            }
            return keys;
        }
    }

    @Test
    void largeImagesGoStraightToStorageThroughPresignedUrls() {
        byte[] png = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(300, 200, 8), 20, 8), "png");

        HttpJson.Response slot = HttpJson.post(baseUrl + "/v1/uploads", Map.of());
        assertThat(slot.status()).isEqualTo(201);
        HttpJson.Response put = HttpJson.send(
                HttpRequest.newBuilder(URI.create(slot.body().get("url").asText()))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(png))
                        .build());
        assertThat(put.status()).isEqualTo(200);
        HttpRequest submit = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=30")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"upload_id\": \"" + slot.body().get("upload_id").asText() + "\"}"))
                .build();
        JsonNode job = HttpJson.send(submit).body();

        assertThat(job.get("status").asText()).isEqualTo("succeeded");
        JsonNode polled =
                HttpJson.get(baseUrl + "/v1/jobs/" + job.get("id").asText()).body();
        HttpJson.Response download =
                HttpJson.get(polled.get("result_download_url").asText());
        assertThat(download.status()).isEqualTo(200);
        assertThat(TestImages.decode(download.raw().body()).getWidth()).isEqualTo(300);
        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("upload_id", "AAAAAAAAAAAAAAAAAAAAAA"))
                        .status())
                .isEqualTo(422);
    }

    @Test
    void anImageGivenByUrlIsFetchedByTheGatewayAndDenoised() throws Exception {
        byte[] png = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(120, 80, 8), 20, 8), "png");
        HttpServer images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        images.createContext("/photo.png", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            try (var body = exchange.getResponseBody()) {
                body.write(png);
            }
        });
        images.start();
        try {
            String url = "http://127.0.0.1:" + images.getAddress().getPort() + "/photo.png";
            HttpRequest submit = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .header("Prefer", "wait=30")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"image_url\": \"" + url + "\"}"))
                    .build();
            JsonNode job = HttpJson.send(submit).body();

            assertThat(job.get("status").asText()).isEqualTo("succeeded");
            assertThat(job.get("width").asInt()).isEqualTo(120);
            HttpJson.Response missing =
                    HttpJson.post(baseUrl + "/v1/jobs", Map.of("image_url", url.replace("photo.png", "gone.png")));
            assertThat(missing.status()).isEqualTo(422);
            assertThat(missing.body().get("detail").asText())
                    .isEqualTo("image_url could not be fetched: it answered HTTP 404");
        } finally {
            images.stop(0);
        }
    }

    @Test
    void aJobCanBeFollowedAsServerSentEventsAndByALongPoll() throws Exception {
        byte[] png = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(160, 120, 8), 20, 8), "png");
        String id = HttpJson.post(
                        baseUrl + "/v1/jobs",
                        Map.of("image", Base64.getEncoder().encodeToString(png)))
                .body()
                .get("id")
                .asText();

        HttpResponse<Stream<String>> stream = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs/" + id + "/events"))
                                .header("Accept", "text/event-stream")
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = stream.body()
                .filter(line -> line.startsWith("event:") || line.startsWith("data:"))
                .toList();

        assertThat(events.get(events.size() - 2)).isEqualTo("event:end");
        assertThat(MAPPER.readTree(events.get(events.size() - 1).substring("data:".length()))
                        .get("status")
                        .asText())
                .isEqualTo("succeeded");
        HttpResponse<String> ended = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs/" + id))
                                .header("Prefer", "wait=5")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(ended.body()).get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void jobsCarryTraceContextAndServicesReportHealthAndMetrics() throws Exception {
        String png = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(32, 32, 9), "png"));
        assertThat(HttpJson.post(baseUrl + "/", Map.of("base64Image", png))
                        .body()
                        .get("code")
                        .asInt())
                .isZero();

        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Backend.get().kafkaBootstrap());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "trace-check-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("n2n.jobs"));
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(10));
            assertThat(records.count()).isPositive();
            assertThat(records.iterator().next().headers().lastHeader("traceparent"))
                    .isNotNull();
        }

        String workerUrl = Pipeline.managementUrl(worker);
        JsonNode readiness =
                HttpJson.get(workerUrl + "/actuator/health/readiness").body();
        assertThat(readiness.get("status").asText()).isEqualTo("UP");
        assertThat(HttpJson.get(Pipeline.managementUrl(gateway) + "/actuator/health/readiness")
                        .status())
                .isEqualTo(200);
        // the API port no longer serves the actuator: probes have their own connector and threads
        assertThat(HttpJson.get(baseUrl + "/actuator/health/readiness").status())
                .isEqualTo(404);
        String metrics = new String(
                HttpJson.get(workerUrl + "/actuator/prometheus").raw().body());
        assertThat(metrics)
                .contains(
                        "n2n_worker_jobs_total{",
                        "n2n_worker_pixels_total{",
                        "n2n_worker_job_queue_delay_seconds",
                        "kafka_consumer_fetch_manager_records_lag");
    }

    @Test
    void everyAnswerIsOneTheApiDocumentDescribes() throws Exception {
        HttpJson.Response document = HttpJson.get(baseUrl + "/v3/api-docs");
        assertThat(document.status()).isEqualTo(200);
        JsonNode api = document.body();
        assertThat(api.get("openapi").asText()).startsWith("3.1");
        assertThat(api.path("webhooks").has("job.completed")).isTrue();
        assertThat(api.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(api.at("/paths/~1v1~1jobs/post/requestBody/content").has("multipart/form-data"))
                .isTrue();
        ApiContract contract = new ApiContract(api);
        List<String> undocumented = new ArrayList<>();
        byte[] png = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(64, 48, 8), 20, 8), "png");
        String image = "{\"image\": \"" + Base64.getEncoder().encodeToString(png) + "\"";

        HttpResponse<byte[]> submitted = exchange(
                contract, undocumented, "POST", "/v1/jobs", Map.of("Content-Type", "application/json"), image + "}");
        assertThat(submitted.statusCode()).isEqualTo(202);
        String id = MAPPER.readTree(submitted.body()).get("id").asText();
        assertThat(exchange(contract, undocumented, "GET", "/v1/jobs/" + id, Map.of("Prefer", "wait=30"), null)
                        .statusCode())
                .isEqualTo(200);
        exchange(contract, undocumented, "GET", "/v1/jobs/" + id, Map.of(), null);
        assertThat(exchange(contract, undocumented, "GET", "/v1/jobs/" + id + "/result", Map.of(), null)
                        .statusCode())
                .isEqualTo(200);
        exchange(contract, undocumented, "POST", "/v1/jobs/" + id + "/cancel", Map.of(), "");
        assertThat(exchange(contract, undocumented, "POST", "/v1/jobs/" + id + "/retry", Map.of(), "")
                        .statusCode())
                .isEqualTo(409);
        assertThat(exchange(contract, undocumented, "GET", "/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA", Map.of(), null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(exchange(
                                contract,
                                undocumented,
                                "POST",
                                "/v1/jobs",
                                Map.of("Content-Type", "application/json"),
                                image + ", \"strength\": 5}")
                        .statusCode())
                .isEqualTo(422);
        assertThat(exchange(contract, undocumented, "POST", "/v1/jobs", Map.of("Content-Type", "application/json"), "{")
                        .statusCode())
                .isEqualTo(400);
        HttpResponse<byte[]> raw = send(
                "POST",
                "/v1/jobs?strength=0.5",
                Map.of("Content-Type", "image/png", "Prefer", "wait=30"),
                HttpRequest.BodyPublishers.ofByteArray(png));
        undocumented.addAll(contract.check("POST", "/v1/jobs", raw.statusCode(), contentType(raw), raw.body()));
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(exchange(contract, undocumented, "POST", "/v1/uploads", Map.of(), "")
                        .statusCode())
                .isEqualTo(201);
        exchange(contract, undocumented, "GET", "/v1/webhook-secrets", Map.of(), null);
        assertThat(exchange(
                                contract,
                                undocumented,
                                "POST",
                                "/",
                                Map.of("Content-Type", "application/json"),
                                "{\"base64Image\": \"" + Base64.getEncoder().encodeToString(png) + "\"}")
                        .statusCode())
                .isEqualTo(200);

        assertThat(undocumented).isEmpty();
    }

    private static HttpResponse<byte[]> exchange(
            ApiContract contract,
            List<String> undocumented,
            String method,
            String path,
            Map<String, String> headers,
            String body)
            throws Exception {
        HttpResponse<byte[]> response = send(
                method,
                path,
                headers,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        undocumented.addAll(
                contract.check(method, path, response.statusCode(), contentType(response), response.body()));
        return response;
    }

    private static HttpResponse<byte[]> send(
            String method, String path, Map<String, String> headers, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).method(method, body);
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse(null);
    }

    @Test
    void corruptImageFailsItsJobAndTheWorkerGoesOn() {
        byte[] png = TestImages.encode(TestImages.scene(64, 64, 5), "png");
        byte[] truncated = Arrays.copyOf(png, png.length / 2);
        String good = Base64.getEncoder().encodeToString(png);

        String badId = HttpJson.post(
                        baseUrl + "/v1/jobs",
                        Map.of("image", Base64.getEncoder().encodeToString(truncated)))
                .body()
                .get("id")
                .asText();
        String goodId = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", good))
                .body()
                .get("id")
                .asText();

        JsonNode bad = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> HttpJson.get(baseUrl + "/v1/jobs/" + badId).body(),
                        job -> !job.get("status").asText().matches("queued|running"));
        assertThat(bad.get("status").asText()).isEqualTo("failed");
        assertThat(bad.get("error").get("code").asText()).isEqualTo("invalid_image");
        assertThat(bad.get("error").get("message").asText()).contains("corrupt");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> HttpJson.get(baseUrl + "/v1/jobs/" + goodId)
                                .body()
                                .get("status")
                                .asText(),
                        "succeeded"::equals);
        assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + badId + "/result").status())
                .isEqualTo(409);
    }

    @Test
    void theCatalogueListsTheWorkersModelsAndAnUnknownModelIsRefusedNamingThem() {
        JsonNode gaussian = await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> HttpJson.get(baseUrl + "/v1/models/gaussian"),
                        answer -> answer.status() == 200
                                && answer.body().get("available").asBoolean())
                .body();
        JsonNode auto = HttpJson.get(baseUrl + "/v1/models/auto").body();
        List<String> names =
                HttpJson.get(baseUrl + "/v1/models").body().get("models").findValuesAsText("name");

        assertThat(names)
                .contains("auto", "gaussian", "grey-gaussian", "impulse", "poisson", "text")
                .isSorted();
        assertThat(auto.get("default").asBoolean())
                .as("the worker chooses by default")
                .isTrue();
        assertThat(auto.get("available").asBoolean()).isTrue();
        assertThat(auto.get("card").get("candidates"))
                .extracting(JsonNode::asText)
                .contains("gaussian", "impulse", "poisson", "text");
        assertThat(gaussian.get("default").asBoolean()).isFalse();
        assertThat(gaussian.get("workers").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(gaussian.get("card").get("architecture").asText()).isEqualTo("halfunet");
        assertThat(gaussian.get("card").get("validation").get("psnr_model").asDouble())
                .isGreaterThan(28);
        assertThat(HttpJson.get(baseUrl + "/v1/models/no-such-model").status()).isEqualTo(404);
        JsonNode getModel = HttpJson.get(baseUrl + "/v3/api-docs").body().at("/paths/~1v1~1models~1{name}/get");
        assertThat(getModel.get("operationId").asText()).isEqualTo("getModel");
        assertThat(getModel.get("responses").has("404")).isTrue();

        String png = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(32, 32, 6), "png"));
        HttpJson.Response refused = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", png, "model", "no-such-model"));
        HttpJson.Response legacy = HttpJson.post(baseUrl + "/", Map.of("base64Image", png, "model", "no-such-model"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("detail").asText())
                .startsWith("unknown model 'no-such-model'; known models: ")
                .contains(String.join(", ", names));
        assertThat(legacy.body().get("code").asInt()).isEqualTo(-1);
        assertThat(legacy.body().get("msg").asText()).contains("unknown model 'no-such-model'");
        HttpJson.Response named = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", png, "model", "grey-gaussian"));
        assertThat(named.status()).isEqualTo(202);
        assertThat(await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () -> HttpJson.get(baseUrl + "/v1/jobs/"
                                                + named.body().get("id").asText())
                                        .body(),
                                job -> job.get("status").asText().equals("succeeded"))
                        .get("model_used")
                        .asText())
                .isEqualTo("grey-gaussian");
    }

    @Test
    void jobApiRefusesBadRequestsWithProblemDetails() throws IOException {
        byte[] png = TestImages.encode(TestImages.scene(8, 8, 7), "png");
        String image = Base64.getEncoder().encodeToString(png);

        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", "***")).status())
                .isEqualTo(400);
        assertThat(HttpJson.post(
                                baseUrl + "/v1/jobs",
                                Map.of("image", Base64.getEncoder().encodeToString("text".getBytes())))
                        .status())
                .isEqualTo(415);
        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image, "strength", 2))
                        .status())
                .isEqualTo(422);
        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image, "webhook", "ftp://x"))
                        .status())
                .isEqualTo(422);
        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image, "webhook_events_filter", List.of("done")))
                        .status())
                .isEqualTo(400);
        HttpJson.Response missing = HttpJson.get(baseUrl + "/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.raw().headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(missing.body().get("detail").asText()).contains("no job");
    }
}
