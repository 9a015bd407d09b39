package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.ObjectStoreContract;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link io.noise2noise.storage.MinioObjectStore} on the backend's S3 server (S3Proxy, or MinIO with
 * the containers backend) against the contract the fast tests' in-memory store is held to: among it
 * the {@code If-Match} and {@code If-None-Match: *} conditions every job state change relies on,
 * also under concurrency.
 */
class MinioObjectStoreContractTest extends ObjectStoreContract {

    /** Replicas starting together on a new bucket all start: losing the race to create it is no failure. */
    @Test
    void storesConnectingTogetherToANewBucketAllStart() throws Exception {
        String bucket = "race-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService starts = Executors.newFixedThreadPool(4);
        try {
            List<Future<ObjectStore>> connected = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                connected.add(starts.submit(() -> Backend.get().objectStore(bucket)));
            }
            for (Future<ObjectStore> store : connected) {
                assertThat(store.get(60, TimeUnit.SECONDS).exists("anything")).isFalse();
            }
        } finally {
            starts.shutdownNow();
        }
    }

    @Override
    protected ObjectStore store() {
        return Backend.get().objectStore(Pipeline.BUCKET);
    }
}
