package io.noise2noise.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.ByteArrayInputStream;
import java.util.Optional;

/** {@link ObjectStore} on any S3-compatible server (MinIO, S3Proxy, AWS S3) through the MinIO Java client. */
public class MinioObjectStore implements ObjectStore {

    private final MinioClient client;
    private final String bucket;

    public MinioObjectStore(MinioClient client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    public static MinioObjectStore connect(StorageProperties properties) {
        MinioClient.Builder builder = MinioClient.builder()
                .endpoint(properties.endpoint().toString())
                .credentials(properties.accessKey(), properties.secretKey());
        if (properties.region() != null && !properties.region().isBlank()) {
            builder.region(properties.region());
        }
        MinioObjectStore store = new MinioObjectStore(builder.build(), properties.bucket());
        if (properties.createBucket()) {
            store.createBucketIfMissing();
        }
        return store;
    }

    void createBucketIfMissing() {
        call(() -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        }, "create bucket " + bucket);
    }

    @Override
    public void put(String key, byte[] data, String contentType) {
        call(() -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(data), data.length, -1)
                .contentType(contentType)
                .build()), "put " + key);
    }

    @Override
    public Optional<StoredObject> get(String key) {
        return call(() -> {
            try (GetObjectResponse response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return Optional.of(new StoredObject(response.readAllBytes(), response.headers().get("Content-Type")));
            } catch (ErrorResponseException e) {
                if ("NoSuchKey".equals(e.errorResponse().code())) {
                    return Optional.<StoredObject>empty();
                }
                throw e;
            }
        }, "get " + key);
    }

    @Override
    public boolean exists(String key) {
        return call(() -> {
            try {
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return true;
            } catch (ErrorResponseException e) {
                if ("NoSuchKey".equals(e.errorResponse().code()) || "NotFound".equals(e.errorResponse().code())) {
                    return false;
                }
                throw e;
            }
        }, "stat " + key);
    }

    @Override
    public void delete(String key) {
        call(() -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        }, "delete " + key);
    }

    private interface S3Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(S3Call<T> call, String what) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new StorageUnavailableException("S3 " + what + " failed: " + e.getMessage(), e);
        }
    }
}
