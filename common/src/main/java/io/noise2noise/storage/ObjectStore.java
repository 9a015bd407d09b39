package io.noise2noise.storage;

import java.util.Optional;

/** The S3 bucket as the services see it: a flat key space of small-to-medium objects. */
public interface ObjectStore {

    void put(String key, byte[] data, String contentType);

    Optional<StoredObject> get(String key);

    boolean exists(String key);

    void delete(String key);

    record StoredObject(byte[] data, String contentType) {
    }
}
