package io.noise2noise.storage;

import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.SetBucketLifecycleArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.http.HttpUtils;
import io.minio.http.Method;
import io.minio.messages.Expiration;
import io.minio.messages.Item;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.LifecycleRule;
import io.minio.messages.RuleFilter;
import io.minio.messages.Status;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ObjectStore} on any S3-compatible server (MinIO, S3Proxy, AWS S3) through the MinIO Java client. */
public class MinioObjectStore implements ObjectStore {

    private static final Logger log = LoggerFactory.getLogger(MinioObjectStore.class);
    /** The MinIO client's own connect, read and write time-out. */
    private static final long TIMEOUT_MS = Duration.ofMinutes(5).toMillis();
    /** S3's most keys in one LIST answer (the MinIO client refuses a larger max-keys). */
    private static final int MAX_KEYS_PER_LIST = 1000;

    private final MinioClient client;
    private final ByteArrayPutClient byteArrayPuts;
    private final MinioClient publicSigner;
    private final String bucket;

    /**
     * @param client        talks to the server
     * @param byteArrayPuts talks to the same server, for PUTs of whole byte arrays
     * @param publicSigner  signs URLs for clients, for the host name they reach the server by;
     *                      it never sends a request (its region is set)
     */
    MinioObjectStore(MinioClient client, ByteArrayPutClient byteArrayPuts, MinioClient publicSigner, String bucket) {
        this.client = client;
        this.byteArrayPuts = byteArrayPuts;
        this.publicSigner = publicSigner;
        this.bucket = bucket;
    }

    public static MinioObjectStore connect(StorageProperties properties) {
        OkHttpClient http = httpClient(properties.maxConnections());
        MinioObjectStore store = new MinioObjectStore(
                client(properties.endpoint(), properties, http),
                new ByteArrayPutClient(MinioAsyncClient.builder()
                        .endpoint(properties.endpoint().toString())
                        .credentials(properties.accessKey(), properties.secretKey())
                        .region(properties.region())
                        .httpClient(http)
                        .build()),
                client(properties.publicEndpoint(), properties, http),
                properties.bucket());
        if (properties.createBucket()) {
            store.createBucketIfMissing();
        }
        store.setLifecycle(properties.retentionDays());
        return store;
    }

    private static MinioClient client(URI endpoint, StorageProperties properties, OkHttpClient http) {
        return MinioClient.builder()
                .endpoint(endpoint.toString())
                .credentials(properties.accessKey(), properties.secretKey())
                .region(properties.region())
                .httpClient(http)
                .build();
    }

    /**
     * MinIO's default HTTP client with room for {@code maxConnections} requests at once (the MinIO
     * client runs every call through OkHttp's dispatcher, which by default lets 5 requests per host
     * run and queues the rest), on sockets that send small writes at once ({@link NoDelaySocketFactory}).
     */
    static OkHttpClient httpClient(int maxConnections) {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(maxConnections);
        dispatcher.setMaxRequestsPerHost(maxConnections);
        return HttpUtils.newDefaultHttpClient(TIMEOUT_MS, TIMEOUT_MS, TIMEOUT_MS)
                .newBuilder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(maxConnections, 5, TimeUnit.MINUTES))
                .socketFactory(new NoDelaySocketFactory())
                .build();
    }

    /**
     * Sets the bucket's lifecycle rules: unsubmitted uploads ({@code uploads/}) expire after a day
     * (the shortest an S3 rule knows; the gateway's sweep removes them sooner), and with
     * {@code retentionDays} above 0 every object expires that many days after it was written. Not
     * every S3-compatible server has lifecycle rules (S3Proxy has none): there a warning says so, and
     * only the gateway's sweep of upload slots removes anything.
     */
    void setLifecycle(int retentionDays) {
        List<LifecycleRule> rules = new ArrayList<>();
        rules.add(expiry("n2n-uploads", "uploads/", 1));
        if (retentionDays > 0) {
            rules.add(expiry("n2n-retention", "", retentionDays));
        }
        try {
            client.setBucketLifecycle(SetBucketLifecycleArgs.builder()
                    .bucket(bucket)
                    .config(new LifecycleConfiguration(rules))
                    .build());
        } catch (Exception e) {
            log.warn(
                    "could not set lifecycle rules on bucket {} ({}); uploads and {}-day retention will not expire",
                    bucket,
                    e.getMessage(),
                    retentionDays);
        }
    }

    private static LifecycleRule expiry(String id, String prefix, int days) {
        return new LifecycleRule(
                Status.ENABLED,
                null,
                new Expiration((ZonedDateTime) null, days, null),
                new RuleFilter(prefix),
                id,
                null,
                null,
                null);
    }

    void createBucketIfMissing() {
        call(
                () -> {
                    if (!client.bucketExists(
                            BucketExistsArgs.builder().bucket(bucket).build())) {
                        try {
                            client.makeBucket(
                                    MakeBucketArgs.builder().bucket(bucket).build());
                        } catch (ErrorResponseException e) {
                            // replicas starting together race to create it: the winner's bucket is ours too
                            if (!"BucketAlreadyOwnedByYou"
                                    .equals(e.errorResponse().code())) {
                                throw e;
                            }
                        }
                    }
                    return null;
                },
                "create bucket " + bucket);
    }

    @Override
    public void put(String key, byte[] data, String contentType) {
        call(() -> byteArrayPuts.put(bucket, key, data, contentType, Map.of()), "put " + key);
    }

    @Override
    public void put(String key, InputStream data, long size, String contentType) {
        call(
                () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key).stream(data, size, -1)
                        .contentType(contentType)
                        .build()),
                "put " + key);
    }

    @Override
    public boolean putIfAbsent(String key, byte[] data, String contentType) {
        return conditionalPut(key, data, contentType, Map.of("If-None-Match", "*"), "put if absent " + key)
                .isPresent();
    }

    @Override
    public Optional<String> replaceIfMatch(String key, byte[] data, String contentType, String etag) {
        return conditionalPut(
                key, data, contentType, Map.of("If-Match", quoted(etag)), "replace " + key + " if it is " + etag);
    }

    /** The written version's ETag, or empty when the condition failed. */
    private Optional<String> conditionalPut(
            String key, byte[] data, String contentType, Map<String, String> condition, String what) {
        return call(
                () -> {
                    try {
                        return Optional.of(byteArrayPuts
                                .put(bucket, key, data, contentType, condition)
                                .etag());
                    } catch (ErrorResponseException e) {
                        // 412: the condition failed; 409 (AWS): another conditional write of it is in flight;
                        // 404: If-Match on an object that is gone
                        String code = e.errorResponse().code();
                        if ("PreconditionFailed".equals(code)
                                || "ConditionalRequestConflict".equals(code)
                                || "NoSuchKey".equals(code)) {
                            return Optional.<String>empty();
                        }
                        throw e;
                    }
                },
                what);
    }

    /** ETags travel quoted in headers; the MinIO client hands them out quoted or not depending on the call. */
    private static String quoted(String etag) {
        return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
    }

    @Override
    public Optional<StoredObject> get(String key) {
        return getVersioned(key).map(object -> new StoredObject(object.data(), object.contentType()));
    }

    @Override
    public Optional<VersionedObject> getVersioned(String key) {
        return call(
                () -> {
                    try (GetObjectResponse response = client.getObject(
                            GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                        return Optional.of(new VersionedObject(
                                response.readAllBytes(),
                                response.headers().get("Content-Type"),
                                response.headers().get("ETag")));
                    } catch (ErrorResponseException e) {
                        if ("NoSuchKey".equals(e.errorResponse().code())) {
                            return Optional.<VersionedObject>empty();
                        }
                        throw e;
                    }
                },
                "get " + key);
    }

    @Override
    public Optional<ObjectStream> open(String key) {
        return call(
                () -> {
                    try {
                        GetObjectResponse response = client.getObject(GetObjectArgs.builder()
                                .bucket(bucket)
                                .object(key)
                                .build());
                        String length = response.headers().get("Content-Length");
                        if (length == null) {
                            response.close();
                            throw new IllegalStateException("the server sent no Content-Length");
                        }
                        return Optional.of(new ObjectStream(
                                response,
                                Long.parseLong(length),
                                response.headers().get("Content-Type")));
                    } catch (ErrorResponseException e) {
                        if ("NoSuchKey".equals(e.errorResponse().code())) {
                            return Optional.<ObjectStream>empty();
                        }
                        throw e;
                    }
                },
                "open " + key);
    }

    @Override
    public Optional<byte[]> read(String key, long offset, int length) {
        return call(
                () -> {
                    try (GetObjectResponse response = client.getObject(GetObjectArgs.builder()
                            .bucket(bucket)
                            .object(key)
                            .offset(offset)
                            .length((long) length)
                            .build())) {
                        return Optional.of(response.readNBytes(length));
                    } catch (ErrorResponseException e) {
                        if ("NoSuchKey".equals(e.errorResponse().code())) {
                            return Optional.<byte[]>empty();
                        }
                        throw e;
                    }
                },
                "read " + key + " bytes " + offset + "+" + length);
    }

    @Override
    public void copy(String from, String to) {
        call(
                () -> client.copyObject(CopyObjectArgs.builder()
                        .bucket(bucket)
                        .object(to)
                        .source(CopySource.builder().bucket(bucket).object(from).build())
                        .build()),
                "copy " + from + " to " + to);
    }

    @Override
    public Optional<Long> size(String key) {
        return call(
                () -> {
                    try {
                        return Optional.of(client.statObject(StatObjectArgs.builder()
                                        .bucket(bucket)
                                        .object(key)
                                        .build())
                                .size());
                    } catch (ErrorResponseException e) {
                        if ("NoSuchKey".equals(e.errorResponse().code())
                                || "NotFound".equals(e.errorResponse().code())) {
                            return Optional.<Long>empty();
                        }
                        throw e;
                    }
                },
                "stat " + key);
    }

    @Override
    public void delete(String key) {
        call(
                () -> {
                    client.removeObject(RemoveObjectArgs.builder()
                            .bucket(bucket)
                            .object(key)
                            .build());
                    return null;
                },
                "delete " + key);
    }

    @Override
    public Optional<ObjectVersion> version(String key) {
        return call(
                () -> {
                    try {
                        StatObjectResponse stat = client.statObject(StatObjectArgs.builder()
                                .bucket(bucket)
                                .object(key)
                                .build());
                        return Optional.of(new ObjectVersion(stat.size(), stat.etag()));
                    } catch (ErrorResponseException e) {
                        if (isMissing(e)) {
                            return Optional.<ObjectVersion>empty();
                        }
                        throw e;
                    }
                },
                "stat " + key);
    }

    @Override
    public Optional<byte[]> readVersion(String key, String etag, long offset, int length) {
        return call(
                () -> {
                    try (GetObjectResponse response = client.getObject(GetObjectArgs.builder()
                            .bucket(bucket)
                            .object(key)
                            .matchETag(etag)
                            .offset(offset)
                            .length((long) length)
                            .build())) {
                        return Optional.of(response.readNBytes(length));
                    } catch (ErrorResponseException e) {
                        if (isMissing(e) || isPreconditionFailed(e)) {
                            return Optional.<byte[]>empty();
                        }
                        throw e;
                    }
                },
                "read " + key + " version " + etag + " bytes " + offset + "+" + length);
    }

    @Override
    public boolean copyVersion(String from, String etag, String to) {
        return call(
                () -> {
                    try {
                        client.copyObject(CopyObjectArgs.builder()
                                .bucket(bucket)
                                .object(to)
                                .source(CopySource.builder()
                                        .bucket(bucket)
                                        .object(from)
                                        .matchETag(etag)
                                        .build())
                                .build());
                        return true;
                    } catch (ErrorResponseException e) {
                        if (isMissing(e) || isPreconditionFailed(e)) {
                            return false;
                        }
                        throw e;
                    }
                },
                "copy " + from + " version " + etag + " to " + to);
    }

    @Override
    public List<String> list(String prefix) {
        return call(
                () -> {
                    List<String> keys = new ArrayList<>();
                    for (Result<Item> item : client.listObjects(ListObjectsArgs.builder()
                            .bucket(bucket)
                            .prefix(prefix)
                            .recursive(true)
                            .build())) {
                        keys.add(item.get().objectName());
                    }
                    return keys;
                },
                "list " + prefix);
    }

    @Override
    public List<String> list(String prefix, String startAfter, int limit) {
        return call(
                () -> {
                    List<String> keys = new ArrayList<>();
                    ListObjectsArgs.Builder args = ListObjectsArgs.builder()
                            .bucket(bucket)
                            .prefix(prefix)
                            .recursive(true)
                            .maxKeys(Math.min(limit, MAX_KEYS_PER_LIST));
                    if (startAfter != null) {
                        args.startAfter(startAfter);
                    }
                    // the iterator goes on to the next LIST request after max-keys: stop at the limit
                    for (Result<Item> item : client.listObjects(args.build())) {
                        if (keys.size() == limit) {
                            break;
                        }
                        keys.add(item.get().objectName());
                    }
                    return keys;
                },
                "list " + prefix + " after " + startAfter);
    }

    private static boolean isMissing(ErrorResponseException e) {
        return "NoSuchKey".equals(e.errorResponse().code())
                || "NotFound".equals(e.errorResponse().code());
    }

    private static boolean isPreconditionFailed(ErrorResponseException e) {
        return "PreconditionFailed".equals(e.errorResponse().code())
                || e.response() != null && e.response().code() == 412;
    }

    @Override
    public URI presignedPut(String key, Duration validFor) {
        return presign(Method.PUT, key, validFor);
    }

    @Override
    public URI presignedGet(String key, Duration validFor) {
        return presign(Method.GET, key, validFor);
    }

    private URI presign(Method method, String key, Duration validFor) {
        return call(
                () -> URI.create(publicSigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                        .method(method)
                        .bucket(bucket)
                        .object(key)
                        .expiry((int) validFor.toSeconds())
                        .build())),
                "presign " + key);
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
