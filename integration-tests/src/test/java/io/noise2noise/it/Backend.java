package io.noise2noise.it;

import io.noise2noise.storage.MinioObjectStore;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.StorageProperties;
import java.net.URI;
import java.util.Map;

/**
 * Where the tests' Kafka broker and S3 server run, one per test JVM, chosen with the system
 * property {@value #PROPERTY}:
 * <ul>
 *   <li>{@code local} (the default): {@link LocalServers}, Apache Kafka and S3Proxy as processes on
 *       loopback, the same scripts {@code make run} uses;</li>
 *   <li>{@code containers}: {@link ContainerServers}, Kafka and MinIO containers through
 *       Testcontainers (with podman: {@code scripts/testcontainers-check.sh}, {@code make test-containers}).</li>
 * </ul>
 * Gateways and workers always run in the test JVM ({@link Pipeline}).
 */
public interface Backend {

    String PROPERTY = "n2n.it.backend";

    static Backend get() {
        String backend = System.getProperty(PROPERTY, "local");
        return switch (backend.isBlank() ? "local" : backend) {
            case "local" -> LocalServers.get();
            case "containers" -> ContainerServers.get();
            default ->
                throw new IllegalArgumentException(
                        "-D" + PROPERTY + "=" + backend + ": expected 'local' or 'containers'");
        };
    }

    /** True when the tests run against Kafka and MinIO containers. */
    static boolean containers() {
        return "containers".equals(System.getProperty(PROPERTY, "local"));
    }

    String kafkaBootstrap();

    String s3Endpoint();

    String accessKey();

    String secretKey();

    /** Whether the S3 server keeps bucket lifecycle rules (MinIO does; S3Proxy has none). */
    boolean hasLifecycleRules();

    /** The services' S3 client on this backend's server, over {@code bucket}. */
    default ObjectStore objectStore(String bucket) {
        return MinioObjectStore.connect(new StorageProperties(
                URI.create(s3Endpoint()), null, accessKey(), secretKey(), bucket, "us-east-1", true, 0, 64));
    }

    /** Spring properties pointing a gateway or worker at these servers. */
    default Map<String, Object> springProperties(String bucket) {
        return Map.of(
                "spring.kafka.bootstrap-servers", kafkaBootstrap(),
                "n2n.storage.endpoint", s3Endpoint(),
                "n2n.storage.access-key", accessKey(),
                "n2n.storage.secret-key", secretKey(),
                "n2n.storage.bucket", bucket,
                "n2n.storage.create-bucket", "true");
    }
}
