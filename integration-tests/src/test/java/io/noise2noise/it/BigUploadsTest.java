package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.noise2noise.job.JobKeys;
import io.noise2noise.testing.TestImages;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Limits by route, with small limits to stay fast: bodies up to {@code max-bytes} (1 MB), presigned
 * uploads up to {@code max-upload-bytes} (3 MB), checked by the gateway from a stat and the file's
 * header and copied inside S3; the worker takes what the gateway took. Results are streamed back.
 */
class BigUploadsTest {

    private static final Map<String, Object> LIMITS =
            Map.of("n2n.images.max-bytes", "1MB", "n2n.images.max-upload-bytes", "3MB");

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext worker;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(LIMITS);
        worker = Pipeline.worker(LIMITS);
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        worker.close();
        gateway.close();
    }

    @Test
    void anUploadOverTheBodyLimitButUnderTheUploadLimitIsDenoised() {
        byte[] png = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(800, 600, 11), 25, 12), "png");
        assertThat(png.length).isBetween(1 << 20, 3 << 20);
        assertThat(submitRaw(png).status())
                .as("the same file as a request body")
                .isEqualTo(413);

        String uploadId = upload(png);
        HttpJson.Response submitted = submit(uploadId);

        assertThat(submitted.status()).isEqualTo(200);
        assertThat(submitted.body().get("status").asText()).isEqualTo("succeeded");
        assertThat(submitted.body().get("width").asInt()).isEqualTo(800);
        assertThat(TestBucket.count("uploads/", uploadId))
                .as("the upload is removed once the job has it")
                .isZero();
        HttpJson.Response result =
                HttpJson.get(baseUrl + "/v1/jobs/" + submitted.body().get("id").asText() + "/result");
        assertThat(TestImages.decode(result.raw().body()).getHeight()).isEqualTo(600);
    }

    @Test
    void anUploadOverTheUploadLimitIsRefusedAndRemoved() {
        byte[] big = new byte[(3 << 20) + 1];
        new Random(13).nextBytes(big);
        String uploadId = upload(big);

        HttpJson.Response refused = submit(uploadId);

        assertThat(refused.status()).isEqualTo(413);
        assertThat(refused.raw().headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.body().get("detail").asText()).contains("n2n.images.max-upload-bytes");
        assertThat(TestBucket.count("uploads/", uploadId)).isZero();
        assertThat(submit(uploadId).status()).isEqualTo(422);
    }

    @Test
    void anUnsupportedOrCorruptUploadIsRefusedFromItsHeader() {
        byte[] text = "not an image, just text\n".repeat(80_000).getBytes(StandardCharsets.US_ASCII);
        byte[] png = TestImages.encode(TestImages.scene(64, 64, 14), "png");
        byte[] badHeader = Arrays.copyOf(png, 2 << 20);
        Arrays.fill(badHeader, 12, badHeader.length, (byte) 0x5a);

        HttpJson.Response unsupported = submit(upload(text));
        HttpJson.Response corrupt = submit(upload(badHeader));

        assertThat(unsupported.status()).isEqualTo(415);
        assertThat(corrupt.status()).isEqualTo(400);
        assertThat(corrupt.body().get("detail").asText()).contains("corrupt");
    }

    @Test
    void corruptPixelsPastTheHeaderAreTheWorkersToFind() {
        // the gateway reads the header only: damage in the pixel data passes it and fails the job
        byte[] png = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(800, 600, 15), 25, 16), "png");
        Arrays.fill(png, 600_000, png.length - 100, (byte) 0);

        HttpJson.Response submitted = submit(upload(png));

        assertThat(submitted.status()).isIn(200, 202);
        JsonNode failed = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> HttpJson.get(baseUrl + "/v1/jobs/"
                                        + submitted.body().get("id").asText())
                                .body(),
                        job -> job.get("status").asText().equals("failed"));
        assertThat(failed.get("error").get("code").asText()).isEqualTo("invalid_image");
    }

    @Test
    void aJsonImageOverTheStringLimitGetsAClear413OnBothJsonRoutes() {
        // 1.2 MB of image: about 1.6 M characters of base64, over the limit derived from max-bytes
        byte[] image = new byte[1_200_000];
        new Random(17).nextBytes(image);
        String base64 = Base64.getEncoder().encodeToString(image);

        HttpJson.Response v1 = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", base64));
        HttpJson.Response legacy = HttpJson.post(baseUrl + "/", Map.of("base64Image", base64));

        assertThat(v1.status()).isEqualTo(413);
        assertThat(v1.raw().headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(v1.body().get("detail").asText())
                .contains("n2n.images.max-bytes")
                .contains("POST /v1/uploads");
        assertThat(legacy.status()).isEqualTo(200);
        assertThat(legacy.raw().headers().firstValue("X-N2N-Status")).contains("413");
        assertThat(legacy.body().get("code").asInt()).isEqualTo(-1);
        assertThat(legacy.body().get("data").isNull()).isTrue();
        assertThat(legacy.body().get("msg").asText())
                .contains("n2n.images.max-bytes")
                .contains("POST /v1/uploads");
    }

    @Test
    void aLargeResultIsStreamedFromStorageNotHeld() {
        HttpJson.Response done = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "image/png")
                .header("Prefer", "wait=60")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestImages.encode(TestImages.scene(64, 48, 18), "png")))
                .build());
        assertThat(done.body().get("status").asText()).isEqualTo("succeeded");
        String id = done.body().get("id").asText();
        // a result this large takes minutes of denoising here: the stored one is replaced by 96 MB of bytes instead
        long size = 96L << 20;
        TestBucket.put(JobKeys.result(id, 1), new RepeatingStream(size), size, "image/png");

        GatewayMemory memory = GatewayMemory.start();
        RawHttp.Response result;
        try (RawHttp client = RawHttp.connect(baseUrl)) {
            result = client.send("GET", "/v1/jobs/" + id + "/result", new byte[0])
                    .read();
        }
        GatewayMemory.Figures figures = memory.stop();

        System.out.println(figures.line("GET /result of a 96 MB result (streamed)"));
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.bodyBytes()).isEqualTo(size);
        assertThat(result.hasHeader("Content-Length", String.valueOf(size)))
                .as(result.headers())
                .isTrue();
        assertThat(result.hasHeader("Content-Type", "image/png")).isTrue();
        assertThat(figures.allocated())
                .as("bytes allocated by the gateway while it sent 96 MB")
                .isLessThan(32L << 20);
    }

    /** {@code size} bytes of a repeating pattern, made as they are read. */
    private static final class RepeatingStream extends java.io.InputStream {
        private final long size;
        private long position;

        RepeatingStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return position < size ? (int) (position++ % 251) : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(length, size - position);
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = (byte) (position++ % 251);
            }
            return n;
        }
    }

    private static String upload(byte[] file) {
        HttpJson.Response slot = HttpJson.post(baseUrl + "/v1/uploads", Map.of());
        assertThat(slot.status()).isEqualTo(201);
        HttpJson.Response put = HttpJson.send(
                HttpRequest.newBuilder(URI.create(slot.body().get("url").asText()))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(file))
                        .build());
        assertThat(put.status()).isEqualTo(200);
        return slot.body().get("upload_id").asText();
    }

    private static HttpJson.Response submit(String uploadId) {
        return HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=60")
                .POST(HttpRequest.BodyPublishers.ofString("{\"upload_id\": \"" + uploadId + "\"}"))
                .build());
    }

    private static HttpJson.Response submitRaw(byte[] image) {
        return HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(image))
                .build());
    }
}
