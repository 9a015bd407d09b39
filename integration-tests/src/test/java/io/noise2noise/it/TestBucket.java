package io.noise2noise.it;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.InputStream;

/**
 * Direct access to the tests' bucket on the {@link Backend}'s S3 server, as an operator (or the
 * bucket's lifecycle rule) would touch it, with a client of its own rather than the services'.
 */
public final class TestBucket {

    private TestBucket() {}

    private static MinioClient client() {
        Backend backend = Backend.get();
        return MinioClient.builder()
                .endpoint(backend.s3Endpoint())
                .credentials(backend.accessKey(), backend.secretKey())
                .region("us-east-1")
                .build();
    }

    /** Removes an object, as an S3 lifecycle expiration does. */
    public static void expire(String key) {
        try {
            client().removeObject(RemoveObjectArgs.builder()
                    .bucket(Pipeline.BUCKET)
                    .object(key)
                    .build());
        } catch (Exception e) {
            throw new IllegalStateException("could not remove " + key, e);
        }
    }

    /** Writes an object of {@code size} bytes from {@code data}, as a service (or an operator) would. */
    public static void put(String key, InputStream data, long size, String contentType) {
        try {
            client().putObject(PutObjectArgs.builder().bucket(Pipeline.BUCKET).object(key).stream(data, size, -1)
                    .contentType(contentType)
                    .build());
        } catch (Exception e) {
            throw new IllegalStateException("could not write " + key, e);
        }
    }

    /** How many objects under {@code prefix} have names ending with {@code suffix}. */
    public static long count(String prefix, String suffix) {
        long count = 0;
        try {
            for (Result<Item> item : client().listObjects(ListObjectsArgs.builder()
                    .bucket(Pipeline.BUCKET)
                    .prefix(prefix)
                    .recursive(true)
                    .build())) {
                if (item.get().objectName().endsWith(suffix)) {
                    count++;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not list " + prefix, e);
        }
        return count;
    }
}
