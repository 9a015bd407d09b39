package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.testing.TestImages;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Tenants kept apart: each API key's webhooks signed with its own secrets, uploads and jobs bound to
 * their owner, quotas on open uploads and unfinished jobs, expired upload slots swept, and an upload
 * replaced while it is checked never becoming a job's input. No worker runs.
 */
class TenantsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String KEY_A = "tenant-a-key-0123456789";
    private static final String KEY_B = "tenant-b-key-9876543210";
    private static final String KEY_C = "tenant-c-key-5555555555";
    private static final String A_OLD = "whsec_dGVuYW50LWEtb2xkLXNlY3JldC0wMTIzNDU2Nzg5";
    private static final String A_NEW = "whsec_dGVuYW50LWEtbmV3LXNlY3JldC05ODc2NTQzMjEw";
    private static final String B_SECRET = "whsec_dGVuYW50LWItc2VjcmV0LWFiY2RlZmdoaWprbG1u";
    private static final int MAX_OPEN_UPLOADS = 2;
    private static final int MAX_UNFINISHED_JOBS = 2;
    private static final Duration URL_TTL = Duration.ofSeconds(6);

    /** Upload keys to overwrite, with these bytes, just before the gateway's next versioned read or copy of them. */
    private static final Map<String, byte[]> replaceBeforeRead = new ConcurrentHashMap<>();

    private static final Map<String, byte[]> replaceBeforeCopy = new ConcurrentHashMap<>();

    private static ConfigurableApplicationContext gateway;
    private static String baseUrl;
    private static ObjectStore store;

    @BeforeAll
    static void start() throws Exception {
        gateway = Pipeline.gateway(
                Map.ofEntries(
                        Map.entry("n2n.gateway.api-keys[0].id", "tenant-a"),
                        Map.entry("n2n.gateway.api-keys[0].sha256", sha256(KEY_A)),
                        Map.entry("n2n.gateway.api-keys[0].requests-per-minute", "6000"),
                        Map.entry("n2n.gateway.api-keys[0].webhook-secrets[0]", A_OLD),
                        Map.entry("n2n.gateway.api-keys[0].webhook-secrets[1]", A_NEW),
                        Map.entry("n2n.gateway.api-keys[1].id", "tenant-b"),
                        Map.entry("n2n.gateway.api-keys[1].sha256", sha256(KEY_B)),
                        Map.entry("n2n.gateway.api-keys[1].requests-per-minute", "6000"),
                        Map.entry("n2n.gateway.api-keys[1].webhook-secrets[0]", B_SECRET),
                        Map.entry("n2n.gateway.api-keys[2].id", "tenant-c"),
                        Map.entry("n2n.gateway.api-keys[2].sha256", sha256(KEY_C)),
                        Map.entry("n2n.gateway.api-keys[2].requests-per-minute", "6000"),
                        Map.entry("n2n.gateway.presigned-url-ttl", URL_TTL.toSeconds() + "s"),
                        Map.entry("n2n.gateway.quotas.max-open-uploads", String.valueOf(MAX_OPEN_UPLOADS)),
                        Map.entry("n2n.gateway.quotas.max-unfinished-jobs", String.valueOf(MAX_UNFINISHED_JOBS)),
                        Map.entry("n2n.gateway.quotas.retry-after", "7s"),
                        Map.entry("n2n.gateway.quotas.upload-sweep-interval", "1s")),
                List.<ApplicationContextInitializer<?>>of(
                        context -> context.getBeanFactory().addBeanPostProcessor(new ReplacingHook())));
        baseUrl = Pipeline.baseUrl(gateway);
        store = gateway.getBean(ObjectStore.class);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void eachKeyReadsOnlyItsOwnSecretsAndItsJobsAreSignedWithThemOnly() throws Exception {
        assertThat(send("GET", "/v1/webhook-secrets", null, KEY_A)
                        .body()
                        .get("secrets")
                        .toString())
                .isEqualTo(MAPPER.writeValueAsString(List.of(A_OLD, A_NEW)));
        assertThat(send("GET", "/v1/webhook-secrets", null, KEY_B)
                        .body()
                        .get("secrets")
                        .toString())
                .isEqualTo(MAPPER.writeValueAsString(List.of(B_SECRET)));

        List<String[]> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new String[] {
                exchange.getRequestHeaders().getFirst("webhook-id"),
                exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                exchange.getRequestHeaders().getFirst("webhook-signature"),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
            });
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            HttpJson.Response job = send("POST", "/v1/jobs", Map.of("image", image(1), "webhook", url), KEY_A);
            assertThat(job.status()).isEqualTo(202);
            String id = job.body().get("id").asText();
            // canceling the queued job finishes it: its completed webhook goes out without a worker
            assertThat(send("POST", "/v1/jobs/" + id + "/cancel", null, KEY_A).status())
                    .isEqualTo(200);
            Instant deadline = Instant.now().plusSeconds(60);
            while (received.isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
        } finally {
            receiver.stop(0);
        }

        assertThat(received).isNotEmpty();
        String[] delivery = received.get(0);
        byte[] body = delivery[3].getBytes(StandardCharsets.UTF_8);
        List<String> signatures = List.of(delivery[2].split(" "));
        // during the rotation both of A's secrets verify; B's (and the keys-off shared one) never do
        assertThat(signatures)
                .contains(
                        WebhookReceiver.sign(A_OLD, delivery[0], delivery[1], body),
                        WebhookReceiver.sign(A_NEW, delivery[0], delivery[1], body));
        assertThat(signatures)
                .doesNotContain(
                        WebhookReceiver.sign(B_SECRET, delivery[0], delivery[1], body),
                        WebhookReceiver.sign(WebhookReceiver.SECRET, delivery[0], delivery[1], body));
        System.out.println("tenants: webhook of tenant-a carried " + signatures.size()
                + " signatures (both rotation secrets), none verifying with tenant-b's secret");
    }

    @Test
    void anUploadIsSubmittedOnlyByTheKeyThatOpenedItAndKeylessJobsAreHiddenFromKeys() {
        String uploadId = openAndPut(KEY_A, TestImages.encode(TestImages.scene(24, 24, 3), "png"));

        HttpJson.Response byB = send("POST", "/v1/jobs", Map.of("upload_id", uploadId), KEY_B);
        assertThat(byB.status()).isEqualTo(422);
        assertThat(byB.body().get("detail").asText()).contains("nothing was uploaded");
        HttpJson.Response byA = send("POST", "/v1/jobs", Map.of("upload_id", uploadId), KEY_A);
        assertThat(byA.status()).isEqualTo(202);
        String id = byA.body().get("id").asText();
        assertThat(send("POST", "/v1/jobs/" + id + "/cancel", null, KEY_A).status())
                .isEqualTo(200);
        assertThat(TestBucket.count(JobKeys.UPLOADS, uploadId))
                .as("upload and slot removed once submitted")
                .isZero();

        // a job created while keys were off has no owner: no key sees it once keys are on
        String keyless = JobIds.newId();
        gateway.getBean(JobStore.class)
                .create(Job.queued(
                        keyless,
                        new JobSpec(null, 1.0, null, null, null, null, null, null, null),
                        "png",
                        24,
                        24,
                        Instant.now()));
        assertThat(send("GET", "/v1/jobs/" + keyless, null, KEY_A).status()).isEqualTo(404);
        assertThat(send("POST", "/v1/jobs/" + keyless + "/cancel", null, KEY_B).status())
                .isEqualTo(404);
        TestBucket.expire(JobKeys.record(keyless));
    }

    @Test
    void aKeyOverItsQuotasIsRefusedUntilItsUploadsAndJobsAreDone() {
        List<Integer> uploads = new ArrayList<>();
        HttpJson.Response lastUpload = null;
        for (int i = 0; i <= MAX_OPEN_UPLOADS; i++) {
            lastUpload = send("POST", "/v1/uploads", Map.of(), KEY_C);
            uploads.add(lastUpload.status());
        }
        assertThat(uploads).containsExactly(201, 201, 429);
        assertThat(lastUpload.raw().headers().firstValue("Retry-After")).contains("7");
        assertThat(lastUpload.body().get("detail").asText()).contains("max-open-uploads");

        List<String> jobs = new ArrayList<>();
        HttpJson.Response lastJob = null;
        for (int i = 0; i <= MAX_UNFINISHED_JOBS; i++) {
            lastJob = send("POST", "/v1/jobs", Map.of("image", image(20 + i)), KEY_C);
            if (lastJob.status() == 202) {
                jobs.add(lastJob.body().get("id").asText());
            }
        }
        assertThat(jobs).hasSize(MAX_UNFINISHED_JOBS);
        assertThat(lastJob.status()).isEqualTo(429);
        assertThat(lastJob.raw().headers().firstValue("Retry-After")).contains("7");
        assertThat(lastJob.body().get("detail").asText()).contains("max-unfinished-jobs");

        // a finished job no longer counts
        assertThat(send("POST", "/v1/jobs/" + jobs.get(0) + "/cancel", null, KEY_C)
                        .status())
                .isEqualTo(200);
        HttpJson.Response afterCancel = send("POST", "/v1/jobs", Map.of("image", image(30)), KEY_C);
        assertThat(afterCancel.status()).isEqualTo(202);
        send("POST", "/v1/jobs/" + jobs.get(1) + "/cancel", null, KEY_C);
        send("POST", "/v1/jobs/" + afterCancel.body().get("id").asText() + "/cancel", null, KEY_C);
    }

    @Test
    void anUploadNeverSubmittedIsDeletedWhenItsSlotExpires() throws Exception {
        String uploadId = openAndPut(KEY_B, TestImages.encode(TestImages.scene(24, 24, 4), "png"));
        assertThat(TestBucket.count(JobKeys.UPLOADS, uploadId))
                .as("the upload and its slot")
                .isEqualTo(2);

        long started = System.nanoTime();
        // the slot lasts two URL lifetimes; the sweep runs every second
        Instant deadline = Instant.now().plus(URL_TTL.multipliedBy(2)).plusSeconds(60);
        while (TestBucket.count(JobKeys.UPLOADS, uploadId) > 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
        }

        assertThat(TestBucket.count(JobKeys.UPLOADS, uploadId))
                .as("upload and slot after expiry")
                .isZero();
        System.out.printf(
                "tenants: unsubmitted upload deleted %.1f s after it was opened (slot lifetime %d s)%n",
                (System.nanoTime() - started) / 1e9, URL_TTL.multipliedBy(2).toSeconds());
    }

    @Test
    void anUploadReplacedWhileItIsCheckedNeverBecomesAJobsInput() {
        byte[] replacement = TestImages.encode(TestImages.scene(40, 40, 99), "png");
        String duringProbe = openAndPut(KEY_A, TestImages.encode(TestImages.scene(24, 24, 5), "png"));
        replaceBeforeRead.put(JobKeys.upload(duringProbe), replacement);
        String beforeCopy = openAndPut(KEY_A, TestImages.encode(TestImages.scene(24, 24, 6), "png"));
        replaceBeforeCopy.put(JobKeys.upload(beforeCopy), replacement);
        String replacedEtag = md5(replacement);
        List<String> inputsBefore = store.list("jobs/").stream()
                .filter(key -> key.endsWith("/input"))
                .toList();

        HttpJson.Response probed = send("POST", "/v1/jobs", Map.of("upload_id", duringProbe), KEY_A);
        HttpJson.Response copied = send("POST", "/v1/jobs", Map.of("upload_id", beforeCopy), KEY_A);

        assertThat(replaceBeforeRead).as("the hook ran").isEmpty();
        assertThat(replaceBeforeCopy).as("the hook ran").isEmpty();
        assertThat(probed.status()).isEqualTo(409);
        assertThat(copied.status()).isEqualTo(409);
        assertThat(copied.body().get("detail").asText()).contains("changed while it was being checked");
        assertThat(TestBucket.count(JobKeys.UPLOADS, duringProbe)).isZero();
        assertThat(TestBucket.count(JobKeys.UPLOADS, beforeCopy)).isZero();
        List<String> newInputs = store.list("jobs/").stream()
                .filter(key -> key.endsWith("/input"))
                .filter(key -> !inputsBefore.contains(key))
                .toList();
        // S3Proxy's ETag is the MD5 of the bytes: no new input holds the replacement
        assertThat(newInputs.stream()
                        .map(key -> store.version(key)
                                .map(ObjectStore.ObjectVersion::etag)
                                .orElse("")))
                .doesNotContain(replacedEtag, "\"" + replacedEtag + "\"");
        System.out.println("tenants: uploads replaced during the probe and before the copy: answered " + probed.status()
                + " and " + copied.status() + ", " + newInputs.size() + " new inputs, none replaced");
    }

    /** Puts the replacement bytes of a marked upload key just before the gateway's versioned read or copy of it. */
    static final class ReplacingHook implements BeanPostProcessor {
        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
            if (!(bean instanceof ObjectStore real)) {
                return bean;
            }
            return Proxy.newProxyInstance(
                    ObjectStore.class.getClassLoader(), new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                        Map<String, byte[]> marked = method.getName().equals("readVersion")
                                ? replaceBeforeRead
                                : method.getName().equals("copyVersion") ? replaceBeforeCopy : null;
                        byte[] replacement = marked == null ? null : marked.remove(String.valueOf(args[0]));
                        if (replacement != null) {
                            real.put((String) args[0], replacement, "image/png");
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    private static String openAndPut(String key, byte[] image) {
        HttpJson.Response slot = send("POST", "/v1/uploads", Map.of(), key);
        assertThat(slot.status()).isEqualTo(201);
        HttpJson.Response put = HttpJson.send(
                HttpRequest.newBuilder(URI.create(slot.body().get("url").asText()))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(image))
                        .build());
        assertThat(put.status()).isEqualTo(200);
        return slot.body().get("upload_id").asText();
    }

    private static String image(long seed) {
        return Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(24, 24, seed), "png"));
    }

    private static HttpJson.Response send(String method, String path, Object body, String key) {
        return HttpJson.sendWithKey(baseUrl + path, method, body, key);
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
