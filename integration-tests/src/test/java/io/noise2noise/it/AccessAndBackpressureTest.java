package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** API keys, per-key rate limits, ownership of jobs, and refusing work while the queue is too long. No worker runs. */
class AccessAndBackpressureTest {

    private static final String KEY_A = "key-a-0123456789";
    private static final String KEY_B = "key-b-9876543210";
    private static final String KEY_C = "key-c-5555555555";

    private static ConfigurableApplicationContext gateway;
    private static String baseUrl;
    private static final List<String> queued = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        gateway = Pipeline.gateway(Map.ofEntries(
                Map.entry("n2n.gateway.api-keys[0].id", "team-a"),
                Map.entry("n2n.gateway.api-keys[0].sha256", sha256(KEY_A)),
                Map.entry("n2n.gateway.api-keys[0].requests-per-minute", "600"),
                Map.entry("n2n.gateway.api-keys[1].id", "team-b"),
                Map.entry("n2n.gateway.api-keys[1].sha256", sha256(KEY_B)),
                Map.entry("n2n.gateway.api-keys[1].requests-per-minute", "600"),
                Map.entry("n2n.gateway.api-keys[2].id", "team-c"),
                Map.entry("n2n.gateway.api-keys[2].sha256", sha256(KEY_C)),
                Map.entry("n2n.gateway.api-keys[2].requests-per-minute", "3"),
                Map.entry("n2n.gateway.backpressure.max-queued-jobs", "2"),
                Map.entry("n2n.gateway.backpressure.refresh-interval", "0s")));
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        // leave nothing queued for the workers of later tests
        queued.forEach(id -> send("POST", "/v1/jobs/" + id + "/cancel", null, KEY_A));
        gateway.close();
    }

    @Test
    void keysAreRequiredAndEachKeySeesOnlyItsOwnJobs() {
        HttpJson.Response anonymous = send("POST", "/v1/jobs", Map.of("image", image(1)), null);
        HttpJson.Response wrongKey = send("POST", "/v1/jobs", Map.of("image", image(1)), "not-a-key");
        HttpJson.Response legacy = send("POST", "/", Map.of("base64Image", image(1)), null);
        HttpJson.Response health = HttpJson.get(Pipeline.managementUrl(gateway) + "/actuator/health/liveness");

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.raw().headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(wrongKey.status()).isEqualTo(401);
        assertThat(legacy.body().get("code").asInt()).isEqualTo(-1);
        assertThat(legacy.raw().headers().firstValue("X-N2N-Status")).contains("401");
        assertThat(health.status()).isEqualTo(200);

        HttpJson.Response mine = send("POST", "/v1/jobs", Map.of("image", image(2)), KEY_A);
        assertThat(mine.status()).isEqualTo(202);
        String id = mine.body().get("id").asText();
        queued.add(id);
        assertThat(send("GET", "/v1/jobs/" + id, null, KEY_A).status()).isEqualTo(200);
        assertThat(send("GET", "/v1/jobs/" + id, null, KEY_B).status()).isEqualTo(404);
        assertThat(send("POST", "/v1/jobs/" + id + "/cancel", null, KEY_B).status())
                .isEqualTo(404);
    }

    @Test
    void aKeyOverItsRateLimitIsToldWhenToComeBack() {
        List<Integer> statuses = new ArrayList<>();
        HttpJson.Response last = null;
        for (int i = 0; i < 4; i++) {
            last = send("GET", "/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA", null, KEY_C);
            statuses.add(last.status());
        }

        assertThat(statuses).containsExactly(404, 404, 404, 429);
        assertThat(Long.parseLong(last.raw().headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, 60L);
    }

    @Test
    void newJobsAreRefusedWhileTheQueueIsLongerThanItsBound() {
        HttpJson.Response response = null;
        for (int i = 0; i < 6; i++) {
            response = send("POST", "/v1/jobs", Map.of("image", image(10 + i)), KEY_A);
            if (response.status() != 202) {
                break;
            }
            queued.add(response.body().get("id").asText());
        }

        assertThat(response.status()).isEqualTo(429);
        assertThat(response.raw().headers().firstValue("Retry-After")).contains("10");
        assertThat(response.body().get("detail").asText()).contains("jobs are waiting");
        HttpJson.Response legacy = send("POST", "/", Map.of("base64Image", image(20)), KEY_A);
        assertThat(legacy.body().get("code").asInt()).isEqualTo(-1);
        assertThat(legacy.raw().headers().firstValue("X-N2N-Status")).contains("429");
    }

    private static String image(long seed) {
        return Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(24, 24, seed), "png"));
    }

    private static HttpJson.Response send(String method, String path, Object body, String key) {
        return HttpJson.sendWithKey(baseUrl + path, method, body, key);
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
