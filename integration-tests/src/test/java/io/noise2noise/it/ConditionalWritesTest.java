package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.storage.MinioObjectStore;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.StorageProperties;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Whether the backend's S3 server honours the conditions every job state change relies on:
 * {@code If-Match} on PUT (a replace of the version read, and no other) and {@code If-None-Match: *}.
 */
class ConditionalWritesTest {

    static ObjectStore store() {
        Backend backend = Backend.get();
        return MinioObjectStore.connect(new StorageProperties(URI.create(backend.s3Endpoint()), null,
                backend.accessKey(), backend.secretKey(), Pipeline.BUCKET, null, true, 0, null));
    }

    @Test
    void replaceIfMatchReplacesOnlyTheVersionRead() {
        ObjectStore objects = store();
        String key = "conditional/" + UUID.randomUUID();
        assertThat(objects.putIfAbsent(key, bytes("v1"), "text/plain")).isTrue();
        assertThat(objects.putIfAbsent(key, bytes("other"), "text/plain")).isFalse();
        ObjectStore.VersionedObject first = objects.getVersioned(key).orElseThrow();
        assertThat(first.etag()).isNotBlank();

        assertThat(objects.replaceIfMatch(key, bytes("v2"), "text/plain", first.etag())).isTrue();
        // a second writer that read v1 too loses, and v2 stays
        assertThat(objects.replaceIfMatch(key, bytes("v2-other"), "text/plain", first.etag())).isFalse();
        ObjectStore.VersionedObject second = objects.getVersioned(key).orElseThrow();
        assertThat(new String(second.data(), StandardCharsets.UTF_8)).isEqualTo("v2");
        assertThat(second.etag()).isNotEqualTo(first.etag());

        objects.delete(key);
        assertThat(objects.replaceIfMatch(key, bytes("v3"), "text/plain", second.etag())).isFalse();
        assertThat(objects.exists(key)).isFalse();
        System.out.println("conditional writes: If-Match and If-None-Match honoured by the "
                + (Backend.containers() ? "MinIO" : "S3Proxy") + " backend");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
