package io.noise2noise.it;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The containers backend ({@code -Dn2n.it.backend=containers}): a Kafka container and a MinIO
 * container through Testcontainers, from the images {@code docker-compose.yml} names
 * ({@code apache/kafka:3.9.1}, {@code minio/minio:RELEASE...}). Those images must already be in
 * the local image store: nothing is ever pulled from a registry. On the build machines they are
 * the local stand-ins of {@code deploy/standins/} and the engine is podman's Docker-compatible
 * API, with Ryuk disabled; {@code scripts/testcontainers-check.sh} sets all of that up. Both
 * containers carry the label {@value #LABEL} and are removed when the JVM exits.
 */
public final class ContainerServers implements Backend {

    public static final String ACCESS_KEY = "n2n-test";
    public static final String SECRET_KEY = "n2n-test-secret";
    static final String LABEL = "io.noise2noise.it";

    private static ContainerServers instance;

    private final KafkaContainer kafka;
    private final GenericContainer<?> minio;

    private ContainerServers() {
        Path compose = LocalServers.repoRoot().resolve("docker-compose.yml");
        DockerImageName kafkaImage = DockerImageName.parse(composeImage(compose, "apache/kafka"));
        DockerImageName minioImage = DockerImageName.parse(composeImage(compose, "minio/minio"));
        String run = "run-" + ProcessHandle.current().pid();
        kafka = new KafkaContainer(kafkaImage)
                .withImagePullPolicy(LOCAL_ONLY)
                .withLabel(LABEL, run)
                .withEnv(
                        "KAFKA_AUTO_CREATE_TOPICS_ENABLE",
                        "false") // as docker-compose.yml: the apps declare their topics
                .withStartupTimeout(Duration.ofSeconds(180));
        minio = new GenericContainer<>(minioImage)
                .withImagePullPolicy(LOCAL_ONLY)
                .withLabel(LABEL, run)
                .withCommand("server", "/data")
                .withEnv("MINIO_ROOT_USER", ACCESS_KEY)
                .withEnv("MINIO_ROOT_PASSWORD", SECRET_KEY)
                .withExposedPorts(9000)
                .waitingFor(Wait.forHttp("/minio/health/ready")
                        .forPort(9000)
                        .forStatusCode(200)
                        .withStartupTimeout(Duration.ofSeconds(120)));
        // no Ryuk on podman: the JVM removes its own containers (the script sweeps by label too)
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        minio.start();
        kafka.start();
        awaitKafka();
    }

    public static synchronized ContainerServers get() {
        if (instance == null) {
            instance = new ContainerServers();
        }
        return instance;
    }

    @Override
    public String kafkaBootstrap() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String s3Endpoint() {
        return "http://" + minio.getHost() + ":" + minio.getMappedPort(9000);
    }

    @Override
    public String accessKey() {
        return ACCESS_KEY;
    }

    @Override
    public String secretKey() {
        return SECRET_KEY;
    }

    @Override
    public boolean hasLifecycleRules() {
        return true;
    }

    /** The image a service of docker-compose.yml runs, e.g. {@code apache/kafka} -> {@code apache/kafka:3.9.1}. */
    static String composeImage(Path compose, String repository) {
        try {
            Matcher m = Pattern.compile("(?m)^\\s*image:\\s*(" + Pattern.quote(repository) + ":\\S+)\\s*$")
                    .matcher(Files.readString(compose));
            if (!m.find()) {
                throw new IllegalStateException(compose + " names no " + repository + " image");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + compose, e);
        }
    }

    /** Never pulls: the image is in the local store, or the test fails saying how to build it. */
    private static final ImagePullPolicy LOCAL_ONLY = image -> {
        try {
            DockerClientFactory.lazyClient()
                    .inspectImageCmd(image.asCanonicalNameString())
                    .exec();
            return false;
        } catch (NotFoundException e) {
            throw new IllegalStateException(
                    "image " + image.asCanonicalNameString() + " is not in the local image "
                            + "store, and the containers backend never pulls; build the stand-ins first: "
                            + "scripts/testcontainers-check.sh (or make container-check)",
                    e);
        }
    };

    private void awaitKafka() {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap());
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the Kafka container did not become ready:\n" + kafka.getLogs(), e);
        }
    }

    private void stop() {
        for (GenericContainer<?> container : List.of(kafka, minio)) {
            try {
                container.stop();
            } catch (RuntimeException e) {
                System.err.println("could not remove container " + container.getContainerId() + ": " + e);
            }
        }
    }
}
