package io.noise2noise.storage;

import io.minio.MinioAsyncClient;
import io.minio.ObjectWriteResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * PUTs of an object held whole in memory (job records, markers, small inputs), sent as the byte
 * array they are. The MinIO client's public {@code putObject} takes only streams: it copies the
 * stream into a part on the common fork-join pool and, for any body that is not a byte array, builds
 * a new OkHttp client per request (its retry setting), whose constructor compares the JVM's ~150
 * trusted CA certificates one by one; that alone was 14 % of the gateway's CPU when accepting small
 * jobs. Its protected byte-array path does neither (and a byte array can be resent, so OkHttp's retry
 * on a dropped connection stays on).
 */
final class ByteArrayPutClient extends MinioAsyncClient {

    ByteArrayPutClient(MinioAsyncClient client) {
        super(client);
    }

    /** PUTs {@code data} with {@code headers} (content type, conditions) and waits for the answer. */
    ObjectWriteResponse put(String bucket, String key, byte[] data, String contentType, Map<String, String> headers)
            throws Exception {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", contentType);
        try {
            return putObjectAsync(bucket, null, key, data, data.length, newMultimap(all), null)
                    .get();
        } catch (ExecutionException e) {
            throwEncapsulatedException(e);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }
}
