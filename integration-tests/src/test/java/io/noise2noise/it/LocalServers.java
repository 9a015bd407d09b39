package io.noise2noise.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The default {@link Backend} for the tests, one per test JVM: an Apache Kafka broker (KRaft) and
 * S3Proxy, each started as its own process by the same scripts {@code make run} uses, on free
 * loopback ports, with data in a temporary folder. Stopped when the JVM exits. Tests that stop and
 * start the servers ({@link #stopKafka()}, {@link #stopS3()}) need this backend.
 */
public final class LocalServers implements Backend {

    public static final String ACCESS_KEY = "n2n-test";
    public static final String SECRET_KEY = "n2n-test-secret";

    private static LocalServers instance;

    private final Path dataDir;
    private final int kafkaPort;
    private final int kafkaControllerPort;
    private final int s3Port;
    private Process kafka;
    private Process s3;

    private LocalServers() throws IOException {
        dataDir = Files.createTempDirectory("n2n-it-");
        kafkaPort = freePort();
        kafkaControllerPort = freePort();
        s3Port = freePort();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        startKafka();
        startS3();
    }

    /** Starts the broker (again), on the same ports and data, and waits until it answers. */
    public synchronized void startKafka() throws IOException {
        kafka = start(
                repoRoot().resolve("scripts/kafka-broker.sh"),
                "kafka",
                String.valueOf(kafkaPort),
                String.valueOf(kafkaControllerPort),
                dataDir.resolve("kafka").toString());
        awaitKafka();
    }

    /** Stops the broker the way an operator would (SIGTERM: a clean shutdown) and waits for it to exit. */
    public synchronized void stopKafka() throws InterruptedException {
        stopProcess(kafka);
    }

    public synchronized void startS3() throws IOException {
        s3 = start(
                repoRoot().resolve("scripts/s3-server.sh"),
                "s3",
                String.valueOf(s3Port),
                dataDir.resolve("s3").toString(),
                ACCESS_KEY,
                SECRET_KEY);
        awaitPort(s3Port, s3);
    }

    public synchronized void stopS3() throws InterruptedException {
        stopProcess(s3);
    }

    private static void stopProcess(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /**
     * The local servers; tests that need no process control take {@link Backend#get()} instead,
     * so that they run on either backend.
     */
    public static synchronized LocalServers get() {
        if (Backend.containers()) {
            // a test written against LocalServers would otherwise start S3Proxy and Kafka next to the containers
            throw new IllegalStateException(
                    "-D" + Backend.PROPERTY + "=containers, but this test uses LocalServers.get(): "
                            + "use Backend.get() (or skip the test on containers if it stops and starts the servers)");
        }
        if (instance == null) {
            try {
                instance = new LocalServers();
            } catch (IOException e) {
                throw new IllegalStateException("could not start Kafka and S3", e);
            }
        }
        return instance;
    }

    public static Path repoRoot() {
        String root = System.getProperty("n2n.repo-root");
        return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
    }

    @Override
    public String kafkaBootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    @Override
    public String s3Endpoint() {
        return "http://127.0.0.1:" + s3Port;
    }

    @Override
    public String accessKey() {
        return ACCESS_KEY;
    }

    @Override
    public String secretKey() {
        return SECRET_KEY;
    }

    /** S3Proxy keeps no lifecycle rules (the gateway only warns). */
    @Override
    public boolean hasLifecycleRules() {
        return false;
    }

    private Process start(Path script, String name, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dataDir.resolve(name + ".log").toFile()))
                .start();
    }

    private void awaitPort(int port, Process process) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited early; see " + dataDir);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        throw new IllegalStateException("server on port " + port + " did not start; see " + dataDir);
    }

    private void awaitKafka() {
        awaitPort(kafkaPort, kafka);
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap());
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not become ready; see " + dataDir, e);
        }
    }

    /** At JVM exit: stops both servers and removes their data, keeping the logs (small) for a failed run. */
    private void stop() {
        for (Process process : new Process[] {kafka, s3}) {
            if (process != null) {
                process.destroy();
            }
        }
        try {
            for (Process process : new Process[] {kafka, s3}) {
                if (process != null && !process.waitFor(30, TimeUnit.SECONDS)) {
                    return;
                }
            }
            for (String data : List.of("kafka", "s3")) {
                deleteRecursively(dataDir.resolve(data));
            }
        } catch (InterruptedException | IOException e) {
            // the data stays in the temporary folder
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
