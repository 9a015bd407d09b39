package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.storage.MinioObjectStore;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.StorageProperties;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * Whether the backend's S3 server honours the conditions every job state change relies on:
 * {@code If-Match} on PUT (a replace of the version read, and no other) and {@code If-None-Match: *}.
 */
class ConditionalWritesTest {

    static ObjectStore store() {
        Backend backend = Backend.get();
        return MinioObjectStore.connect(new StorageProperties(
                URI.create(backend.s3Endpoint()),
                null,
                backend.accessKey(),
                backend.secretKey(),
                Pipeline.BUCKET,
                "us-east-1",
                true,
                0,
                64));
    }

    @Test
    void replaceIfMatchReplacesOnlyTheVersionRead() {
        ObjectStore objects = store();
        String key = "conditional/" + UUID.randomUUID();
        assertThat(objects.putIfAbsent(key, bytes("v1"), "text/plain")).isTrue();
        assertThat(objects.putIfAbsent(key, bytes("other"), "text/plain")).isFalse();
        ObjectStore.VersionedObject first = objects.getVersioned(key).orElseThrow();
        assertThat(first.etag()).isNotBlank();

        String written = objects.replaceIfMatch(key, bytes("v2"), "text/plain", first.etag())
                .orElseThrow();
        // a second writer that read v1 too loses, and v2 stays
        assertThat(objects.replaceIfMatch(key, bytes("v2-other"), "text/plain", first.etag()))
                .isEmpty();
        ObjectStore.VersionedObject second = objects.getVersioned(key).orElseThrow();
        assertThat(new String(second.data(), StandardCharsets.UTF_8)).isEqualTo("v2");
        assertThat(second.etag()).isNotEqualTo(first.etag());
        // the ETag a winning write returns names the version written: a writer can go on from it unread
        assertThat(unquoted(written)).isEqualTo(unquoted(second.etag()));
        String third =
                objects.replaceIfMatch(key, bytes("v3"), "text/plain", written).orElseThrow();
        assertThat(objects.replaceIfMatch(key, bytes("v3-other"), "text/plain", written))
                .isEmpty();
        second = objects.getVersioned(key).orElseThrow();
        assertThat(new String(second.data(), StandardCharsets.UTF_8)).isEqualTo("v3");
        assertThat(unquoted(second.etag())).isEqualTo(unquoted(third));

        objects.delete(key);
        assertThat(objects.replaceIfMatch(key, bytes("v4"), "text/plain", second.etag()))
                .isEmpty();
        assertThat(objects.exists(key)).isFalse();
        System.out.println("conditional writes: If-Match and If-None-Match honoured by the "
                + (Backend.containers() ? "MinIO" : "S3Proxy") + " backend");
    }

    /** The conditions hold under concurrency too: of writers racing from one version exactly one wins. */
    @Test
    void ofConcurrentConditionalWritersExactlyOneWins() throws Exception {
        ObjectStore objects = store();
        int rounds = 30;
        int writers = 6;
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < rounds; round++) {
                String key = "conditional/" + UUID.randomUUID();
                assertThat(race(threads, writers, w -> objects.putIfAbsent(key, bytes("w" + w), "text/plain")))
                        .as("If-None-Match winners")
                        .isEqualTo(1);
                String etag = objects.getVersioned(key).orElseThrow().etag();
                assertThat(race(
                                threads,
                                writers,
                                w -> objects.replaceIfMatch(key, bytes("r" + w), "text/plain", etag)
                                        .isPresent()))
                        .as("If-Match winners")
                        .isEqualTo(1);
                objects.delete(key);
            }
        } finally {
            threads.shutdownNow();
        }
        System.out.println("conditional writes: " + rounds + " rounds of " + writers
                + " concurrent If-None-Match and If-Match writers, exactly one winner each");
    }

    private static String unquoted(String etag) {
        return etag.replace("\"", "");
    }

    private static long race(ExecutorService threads, int writers, IntPredicate write) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            results.add(threads.submit(() -> {
                go.await();
                return write.test(writer);
            }));
        }
        go.countDown();
        long wins = 0;
        for (Future<Boolean> result : results) {
            wins += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        return wins;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
