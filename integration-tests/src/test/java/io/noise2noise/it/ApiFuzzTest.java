package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.testing.TestImages;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Thousands of seeded, malformed or odd requests against every route of a real gateway: each must be
 * answered with a 2xx or 4xx (never a 5xx, never a hang), and the legacy route always in its envelope.
 */
class ApiFuzzTest {

    private static final int REQUESTS = 2000;
    private static final String[] CONTENT_TYPES = {
        "application/json",
        "text/plain",
        "image/png",
        "image/jpeg",
        "application/octet-stream",
        "multipart/form-data; boundary=xyz",
        "application/json; charset=latin1",
        ""
    };
    private static final String[] FIELDS = {
        "image",
        "base64Image",
        "upload_id",
        "model",
        "strength",
        "webhook",
        "webhook_events_filter",
        "format",
        "quality"
    };

    private static ConfigurableApplicationContext gateway;
    private static String baseUrl;
    private static final List<String> created = new ArrayList<>();

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(Map.of());
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        created.forEach(id -> HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs/" + id + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build()));
        gateway.close();
    }

    @Test
    void noRequestMakesTheGatewayFail() {
        Random random = new Random(20261128);
        String validPng = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(16, 16, 1), "png"));
        Map<Integer, Integer> statusCounts = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            HttpRequest request = randomRequest(random, validPng);
            HttpJson.Response response = HttpJson.send(request);
            statusCounts.merge(response.status(), 1, Integer::sum);
            if (response.status() >= 500) {
                failures.add(request.method() + " " + request.uri() + " -> " + response.status());
            }
            if (request.uri().getPath().equals("/") && request.method().equals("POST")) {
                assertThat(response.body())
                        .as("legacy envelope for %s", request)
                        .isNotNull();
                assertThat(response.body().has("code")).isTrue();
            }
            if (response.status() == 202
                    && response.body() != null
                    && response.body().has("id")) {
                created.add(response.body().get("id").asText());
            }
        }
        assertThat(failures).as("5xx answers; all statuses: %s", statusCounts).isEmpty();
        assertThat(statusCounts.keySet())
                .as("the fuzzer reached refusals of several kinds")
                .hasSizeGreaterThan(4);
    }

    private static HttpRequest randomRequest(Random random, String validPng) {
        String id = random.nextBoolean() ? "AAAAAAAAAAAAAAAAAAAAAA" : randomText(random, random.nextInt(30));
        String[] paths = {
            "/",
            "/v1/jobs",
            "/v1/jobs/" + id,
            "/v1/jobs/" + id + "/result",
            "/v1/jobs/" + id + "/cancel",
            "/v1/jobs/" + id + "/retry",
            "/v1/uploads",
            "/v1/jobs?strength=" + randomText(random, 4)
        };
        String path = paths[random.nextInt(paths.length)];
        String method = random.nextInt(4) == 0 ? "GET" : "POST";
        byte[] body = randomBody(random, validPng);
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(URI.create(baseUrl + path.replace(" ", "%20")));
        } catch (IllegalArgumentException unencodable) {
            builder = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs/x%25y"));
        }
        String type = CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
        if (!type.isEmpty()) {
            builder.header("Content-Type", type);
        }
        if (random.nextInt(5) == 0) {
            builder.header("Cancel-After", randomText(random, 5));
        }
        if (random.nextInt(5) == 0) {
            builder.header("Prefer", "wait=" + randomText(random, 3));
        }
        if (random.nextInt(5) == 0) {
            builder.header("Idempotency-Key", randomText(random, 20));
        }
        return builder.method(
                        method,
                        method.equals("GET")
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    private static byte[] randomBody(Random random, String validPng) {
        switch (random.nextInt(4)) {
            case 0:
                byte[] bytes = new byte[random.nextInt(2000)];
                random.nextBytes(bytes);
                return bytes;
            case 1:
                return randomText(random, random.nextInt(200)).getBytes(StandardCharsets.UTF_8);
            default:
                StringBuilder json = new StringBuilder("{");
                int fields = random.nextInt(5);
                for (int f = 0; f < fields; f++) {
                    if (f > 0) {
                        json.append(',');
                    }
                    json.append('"')
                            .append(FIELDS[random.nextInt(FIELDS.length)])
                            .append("\":")
                            .append(randomJsonValue(random, validPng));
                }
                String text = json.append('}').toString();
                if (random.nextInt(6) == 0 && !text.isEmpty()) {
                    text = text.substring(0, random.nextInt(text.length()));
                }
                return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String randomJsonValue(Random random, String validPng) {
        return switch (random.nextInt(9)) {
            case 0 -> "\"" + validPng + "\"";
            case 1 -> "\"" + validPng.substring(0, random.nextInt(validPng.length())) + "\"";
            case 2 -> String.valueOf(random.nextGaussian() * 10);
            case 3 -> "null";
            case 4 -> "[\"start\", \"" + randomText(random, 6) + "\"]";
            case 5 -> "{\"nested\": [1, 2, {}]}";
            case 6 -> "\"http://" + randomText(random, 10) + "\"";
            case 7 -> random.nextBoolean() ? "true" : "1e309";
            default ->
                "\"" + randomText(random, random.nextInt(40)).replace("\"", "").replace("\\", "") + "\"";
        };
    }

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append((char) (random.nextInt(5) == 0 ? 0x20 + random.nextInt(0x5f) : 'a' + random.nextInt(26)));
        }
        return text.toString();
    }
}
