package io.noise2noise.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The in-memory store honours the contract {@link MinioObjectStore} does on a real S3 server. */
class InMemoryObjectStoreTest extends ObjectStoreContract {

    @Override
    protected ObjectStore store() {
        return new InMemoryObjectStore();
    }

    @Test
    void failsLikeAnUnreachableServerWhileSetUnavailable() {
        InMemoryObjectStore objects = new InMemoryObjectStore();
        objects.put("k", new byte[] {1}, "application/octet-stream");

        objects.setUnavailable(true);
        assertThatThrownBy(() -> objects.get("k")).isInstanceOf(StorageUnavailableException.class);
        assertThatThrownBy(() -> objects.putIfAbsent("j", new byte[0], "text/plain"))
                .isInstanceOf(StorageUnavailableException.class);

        objects.setUnavailable(false);
        assertThat(objects.exists("k")).isTrue();
        assertThat(objects.exists("j")).isFalse();
    }
}
