package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.noise2noise.testing.TestImages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
        gateway = Pipeline.gateway(Map.of("n2n.gateway.webhook-first-retry-delay-ms", "200"));
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
        BufferedImage denoised = TestImages.decode(Base64.getDecoder().decode(
                response.body().get("data").get("base64Image").asText()));
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
    void asyncJobCanBePolledAndNotifiesItsWebhook() throws Exception {
        List<JsonNode> deliveries = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            // the first delivery fails, so the retry path is exercised too
            int status = calls.incrementAndGet() == 1 ? 503 : 204;
            if (status == 204) {
                deliveries.add(MAPPER.readTree(exchange.getRequestBody()));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String webhook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            byte[] jpeg = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(200, 150, 3), 20, 4), "jpeg");

            HttpJson.Response submitted = HttpJson.post(baseUrl + "/v1/jobs",
                    Map.of("image", Base64.getEncoder().encodeToString(jpeg), "webhook", webhook));

            assertThat(submitted.status()).isEqualTo(202);
            String id = submitted.body().get("id").asText();
            assertThat(submitted.raw().headers().firstValue("Location")).contains("/v1/jobs/" + id);
            assertThat(submitted.body().get("status").asText()).isEqualTo("queued");

            JsonNode finished = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> HttpJson.get(baseUrl + "/v1/jobs/" + id).body(),
                            job -> job.get("status").asText().equals("succeeded"));
            assertThat(finished.get("created_at").asText()).isNotBlank();
            assertThat(finished.get("started_at").asText()).isNotBlank();
            assertThat(finished.get("completed_at").asText()).isNotBlank();
            assertThat(finished.get("noise_sigma").asDouble()).isBetween(10.0, 30.0);

            HttpJson.Response result = HttpJson.get(baseUrl + finished.get("result_url").asText());
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.raw().headers().firstValue("Content-Type")).contains("image/jpeg");
            BufferedImage denoised = TestImages.decode(result.raw().body());
            assertThat(new int[] {denoised.getWidth(), denoised.getHeight()}).containsExactly(200, 150);

            await().atMost(Duration.ofSeconds(30)).until(() -> !deliveries.isEmpty());
            assertThat(calls.get()).isGreaterThanOrEqualTo(2);
            assertThat(deliveries).hasSize(1);
            assertThat(deliveries.get(0).get("id").asText()).isEqualTo(id);
            assertThat(deliveries.get(0).get("status").asText()).isEqualTo("succeeded");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void corruptImageFailsItsJobAndTheWorkerGoesOn() {
        byte[] png = TestImages.encode(TestImages.scene(64, 64, 5), "png");
        byte[] truncated = Arrays.copyOf(png, png.length / 2);
        String good = Base64.getEncoder().encodeToString(png);

        String badId = HttpJson.post(baseUrl + "/v1/jobs",
                Map.of("image", Base64.getEncoder().encodeToString(truncated))).body().get("id").asText();
        String goodId = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", good)).body().get("id").asText();

        JsonNode bad = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> HttpJson.get(baseUrl + "/v1/jobs/" + badId).body(),
                        job -> !job.get("status").asText().matches("queued|running"));
        assertThat(bad.get("status").asText()).isEqualTo("failed");
        assertThat(bad.get("error").get("code").asText()).isEqualTo("invalid_image");
        assertThat(bad.get("error").get("message").asText()).contains("corrupt");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> HttpJson.get(baseUrl + "/v1/jobs/" + goodId).body().get("status").asText(),
                        "succeeded"::equals);
        assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + badId + "/result").status()).isEqualTo(409);
    }

    @Test
    void unknownModelFailsTheJobNamingTheAvailableOnes() {
        String png = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(32, 32, 6), "png"));

        HttpJson.Response response = HttpJson.post(baseUrl + "/", Map.of("base64Image", png, "model", "no-such-model"));

        assertThat(response.body().get("code").asInt()).isEqualTo(-1);
        assertThat(response.body().get("msg").asText()).contains("unknown model 'no-such-model'");
    }

    @Test
    void jobApiRefusesBadRequestsWithProblemDetails() throws IOException {
        byte[] png = TestImages.encode(TestImages.scene(8, 8, 7), "png");
        String image = Base64.getEncoder().encodeToString(png);

        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", "***")).status()).isEqualTo(400);
        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image",
                Base64.getEncoder().encodeToString("text".getBytes()))).status()).isEqualTo(415);
        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image, "strength", 2)).status()).isEqualTo(422);
        assertThat(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image, "webhook", "ftp://x")).status())
                .isEqualTo(422);
        HttpJson.Response missing = HttpJson.get(baseUrl + "/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.raw().headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(missing.body().get("detail").asText()).contains("no job");
    }
}
