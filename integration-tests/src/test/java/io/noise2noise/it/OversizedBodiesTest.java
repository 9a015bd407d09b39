package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.noise2noise.gateway.bodies.RequestBodies;
import io.noise2noise.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bodies the gateway must not hold, on every route that takes one, against a real gateway (small
 * limits: 1 MB of image, 3 MB of bodies in flight) with its own heap measured: a declared length
 * over the limit is refused before a byte is read, a chunked body is cut at the limit, concurrent
 * bodies are bounded by the budget, and what the worker could never write is refused at
 * submission, with nothing stored. No worker runs: nothing here may become a job.
 */
class OversizedBodiesTest {

    private static final Map<String, Object> LIMITS = Map.of(
            "n2n.images.max-bytes",
            "1MB",
            "n2n.images.max-upload-bytes",
            "3MB",
            "n2n.images.max-result-bytes",
            "10MB",
            "n2n.gateway.bodies.in-flight-budget",
            "3MB");
    private static final long DECLARED = 1L << 30;
    private static final String BOUNDARY = "n2n-boundary";
    private static final String MULTIPART_FILE_HEAD = "--" + BOUNDARY
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n";
    /** Per route: path, content type, the start of its body. */
    private static final List<String[]> ROUTES = List.of(
            new String[] {"/v1/jobs", "image/png", ""},
            new String[] {"/v1/jobs", "application/json", "{"},
            new String[] {"/v1/jobs", "multipart/form-data; boundary=" + BOUNDARY, MULTIPART_FILE_HEAD},
            new String[] {"/", "application/json", "{"});

    private static ConfigurableApplicationContext gateway;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(LIMITS);
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedOnEveryRouteBeforeReading() {
        long jobsBefore = TestBucket.count("jobs/", "job.json");
        GatewayMemory memory = GatewayMemory.start();
        for (String[] route : ROUTES) {
            // the body is declared, never sent: an answer at all shows the gateway did not wait to read it
            try (RawHttp client = RawHttp.connect(baseUrl)) {
                RawHttp.Response response = client.send(
                                "POST",
                                route[0],
                                route[2].getBytes(StandardCharsets.US_ASCII),
                                "Content-Type: " + route[1],
                                "Content-Length: " + DECLARED)
                        .read();
                assertRefusedAsTooLarge(route, response);
                assertThat(response.body()).as("%s %s", route[0], route[1]).contains(String.valueOf(DECLARED));
            }
        }
        GatewayMemory.Figures figures = memory.stop();

        System.out.println(figures.line("4 routes, each declaring a 1 GB body (refused before reading)"));
        assertThat(figures.allocated()).isLessThan(64L << 20);
        assertThat(TestBucket.count("jobs/", "job.json")).isEqualTo(jobsBefore);
    }

    @Test
    void aChunkedBodyIsCutAtTheLimitOnEveryRoute() throws Exception {
        long jobsBefore = TestBucket.count("jobs/", "job.json");
        GatewayMemory memory = GatewayMemory.start();
        long offered = 0;
        for (String[] route : ROUTES) {
            try (RawHttp client = RawHttp.connect(baseUrl)) {
                client.send("POST", route[0], new byte[0], "Content-Type: " + route[1], "Transfer-Encoding: chunked");
                // JSON gets endless whitespace: no string for Jackson's own limit to catch, only the body's bound
                byte filler = route[1].startsWith("application/json") ? (byte) ' ' : (byte) 0x5a;
                CompletableFuture<Long> sent = CompletableFuture.supplyAsync(
                        () -> client.sendChunked(route[2].getBytes(StandardCharsets.US_ASCII), filler, 256L << 20));
                RawHttp.Response response = client.read();
                client.close();
                offered += sent.get();
                assertRefusedAsTooLarge(route, response);
            }
        }
        GatewayMemory.Figures figures = memory.stop();

        System.out.println(figures.line(String.format(
                "4 routes, chunked bodies of up to 256 MB (%.1f MB sent before" + " the refusals)",
                offered / 1048576.0)));
        assertThat(figures.allocated()).isLessThan(64L << 20);
        assertThat(TestBucket.count("jobs/", "job.json")).isEqualTo(jobsBefore);
    }

    @Test
    void concurrentBodiesAreBoundedByTheBudget() {
        RequestBodies bodies = gateway.getBean(RequestBodies.class);
        int size = 1 << 20;
        byte[] noise = new byte[1_000_000];
        new Random(3).nextBytes(noise);
        List<RawHttp> held = new ArrayList<>();
        try {
            // three bodies at the 1 MB limit declared, their first bytes sent, the rest held back: the whole 3 MB
            // budget
            for (int i = 0; i < 3; i++) {
                held.add(RawHttp.connect(baseUrl)
                        .send(
                                "POST",
                                "/v1/jobs",
                                new byte[1000],
                                "Content-Type: image/png",
                                "Content-Length: " + size));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> bodies.reserved() == 3L * size);
            GatewayMemory memory = GatewayMemory.start();

            HttpJson.Response refused = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                    .header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(noise))
                    .build());
            HttpJson.Response legacy = HttpJson.post(baseUrl + "/", Map.of("base64Image", "AAAA"));

            GatewayMemory.Figures figures = memory.stop();
            System.out.println(figures.line("a 4th 1 MB body while 3 are held (3 MB budget): refused with 503"));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.raw().headers().firstValue("Retry-After")).contains("2");
            assertThat(refused.body().get("detail").asText()).contains("n2n.gateway.bodies.in-flight-budget");
            assertThat(legacy.status()).isEqualTo(200);
            assertThat(legacy.raw().headers().firstValue("X-N2N-Status")).contains("503");
            assertThat(legacy.body().get("code").asInt()).isEqualTo(-1);
        } finally {
            held.forEach(RawHttp::close);
        }
        // the held requests end (their bodies cut short): their reservations go with them
        await().atMost(Duration.ofSeconds(20)).until(() -> bodies.reserved() == 0);
        HttpJson.Response admitted = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(noise))
                .build());
        assertThat(admitted.status()).as("read and found not to be an image").isEqualTo(415);
    }

    @Test
    void aBodyNearTheLimitCostsASmallMultipleOfItsImageOnEachRoute() {
        // 1 MB of noise: read and decoded on every route, then refused as no image (415), so no job is made
        byte[] noise = new byte[1_000_000];
        new Random(5).nextBytes(noise);
        String base64 = Base64.getEncoder().encodeToString(noise);
        Map<String, byte[]> bodies = Map.of(
                "image/png",
                noise,
                "application/json",
                ("{\"image\": \"" + base64 + "\"}").getBytes(StandardCharsets.US_ASCII),
                "multipart/form-data; boundary=" + BOUNDARY,
                multipart(noise));
        Map<String, Double> maxCost =
                Map.of("image/png", 3.0, "application/json", 12.0, "multipart/form-data; boundary=" + BOUNDARY, 5.0);
        for (String type : List.of("image/png", "application/json", "multipart/form-data; boundary=" + BOUNDARY)) {
            post(type, bodies.get(type)); // the route's first request loads classes: not part of the figure
            // the least of three: other threads of this JVM (earlier tests' workers, webhook retries) allocate
            // in the window too and only ever add, while a body held whole would show in every request
            double cost = Double.MAX_VALUE;
            for (int attempt = 0; attempt < 3; attempt++) {
                GatewayMemory memory = GatewayMemory.start();
                RawHttp.Response response = post(type, bodies.get(type));
                GatewayMemory.Figures figures = memory.stop();
                double attemptCost = (double) figures.allocated() / noise.length;
                System.out.println(figures.line(String.format(
                        "a %d-byte body of a 1 MB image as %s (%.1f x the image allocated)",
                        bodies.get(type).length, type.split(";")[0], attemptCost)));
                assertThat(response.status()).as(type + ": " + response.body()).isEqualTo(415);
                cost = Math.min(cost, attemptCost);
            }
            assertThat(cost).as(type).isLessThan(maxCost.get(type));
        }
    }

    private static RawHttp.Response post(String type, byte[] body) {
        try (RawHttp client = RawHttp.connect(baseUrl)) {
            return client.send("POST", "/v1/jobs", body, "Content-Type: " + type, "Content-Length: " + body.length)
                    .read();
        }
    }

    private static byte[] multipart(byte[] file) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(MULTIPART_FILE_HEAD.getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    @Test
    void whatTheOutputFormatCannotHoldIsRefusedAtSubmissionWithNothingStored() {
        byte[] wide = TestImages.encode(new BufferedImage(65_536, 8, BufferedImage.TYPE_BYTE_GRAY), "png");
        byte[] square = TestImages.encode(new BufferedImage(2_000, 2_000, BufferedImage.TYPE_BYTE_GRAY), "png");
        long jobsBefore = TestBucket.count("jobs/", "job.json");
        long inputsBefore = TestBucket.count("jobs/", "input");

        HttpJson.Response jpeg = submitRaw(wide, "?format=jpeg");
        HttpJson.Response gif = submitRaw(wide, "?format=gif");
        HttpJson.Response bmp = submitRaw(square, "?format=bmp");

        assertThat(jpeg.status()).isEqualTo(422);
        assertThat(jpeg.raw().headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(jpeg.body().get("detail").asText()).contains("65536x8").contains("jpeg can hold at most 65500");
        assertThat(gif.status()).isEqualTo(422);
        assertThat(bmp.status()).isEqualTo(422);
        assertThat(bmp.body().get("detail").asText()).contains("n2n.images.max-result-bytes");
        assertThat(TestBucket.count("jobs/", "job.json")).isEqualTo(jobsBefore);
        assertThat(TestBucket.count("jobs/", "input")).isEqualTo(inputsBefore);
    }

    @Test
    void aNumberTooLargeInAHeaderOrParameterIsRefusedWithNoJobCreated() {
        byte[] png = TestImages.encode(TestImages.scene(16, 16, 4), "png");
        long jobsBefore = TestBucket.count("jobs/", "job.json");
        List<String> cancelAfter = List.of(
                "99999999999999999999",
                "99999999999999999999ms",
                "9223372036854775807h",
                "9223372036854775807m",
                "106751991167301d",
                "-1");
        List<String> queries = List.of(
                "?strength=1e999",
                "?strength=NaN",
                "?strength=99999999999999999999",
                "?quality=1e40",
                "?quality=-0",
                "?strength=abc",
                "?quality=99999999999999999999999999999999999999999");

        for (String value : cancelAfter) {
            HttpJson.Response response = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                    .header("Content-Type", "image/png")
                    .header("Cancel-After", value)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                    .build());
            assertThat(response.status()).as("Cancel-After: %s", value).isEqualTo(422);
            assertThat(response.body().get("detail").asText()).contains("Cancel-After");
        }
        for (String query : queries) {
            assertThat(submitRaw(png, query).status()).as(query).isBetween(400, 499);
        }
        for (String json : List.of(
                "{\"image\": \"AAAA\", \"strength\": 1e999}",
                "{\"image\": \"AAAA\", \"quality\": 1e99}",
                "{\"image\": \"AAAA\", \"strength\": 99999999999999999999999999}")) {
            assertThat(HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(json))
                                    .build())
                            .status())
                    .as(json)
                    .isBetween(400, 499);
        }
        assertThat(TestBucket.count("jobs/", "job.json")).isEqualTo(jobsBefore);
    }

    @Test
    void theRawRouteStillDescribesItsBodyInTheApiDocument() {
        HttpJson.Response document = HttpJson.get(baseUrl + "/v3/api-docs");

        assertThat(document.body()
                        .at("/paths/~1v1~1jobs/post/requestBody/content")
                        .has("image/*"))
                .isTrue();
        assertThat(document.body()
                        .at("/paths/~1v1~1jobs/post/requestBody/content")
                        .has("application/json"))
                .isTrue();
    }

    private static void assertRefusedAsTooLarge(String[] route, RawHttp.Response response) {
        if (route[0].equals("/")) {
            assertThat(response.status()).as("legacy route").isEqualTo(200);
            assertThat(response.hasHeader("X-N2N-Status", "413"))
                    .as(response.headers())
                    .isTrue();
            assertThat(response.body()).contains("\"code\":-1");
        } else {
            assertThat(response.status())
                    .as("%s %s: %s", route[0], route[1], response.body())
                    .isEqualTo(413);
            assertThat(response.hasHeader("Content-Type", "application/problem+json"))
                    .as(response.headers())
                    .isTrue();
        }
    }

    private static HttpJson.Response submitRaw(byte[] image, String query) {
        return HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs" + query))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(image))
                .build());
    }
}
