package io.noise2noise.it;

import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.ObjectStoreContract;

/**
 * {@link io.noise2noise.storage.MinioObjectStore} on the backend's S3 server (S3Proxy, or MinIO with
 * the containers backend) against the contract the fast tests' in-memory store is held to: among it
 * the {@code If-Match} and {@code If-None-Match: *} conditions every job state change relies on,
 * also under concurrency.
 */
class MinioObjectStoreContractTest extends ObjectStoreContract {

    @Override
    protected ObjectStore store() {
        return Backend.get().objectStore(Pipeline.BUCKET);
    }
}
