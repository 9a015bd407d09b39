package io.noise2noise.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A worker as its own operating-system process, from the worker's executable jar, so tests can kill it. */
public final class WorkerProcess implements AutoCloseable {

    private final Process process;
    /** The management port, where health answers. */
    private final int port;

    private final Path log;

    private WorkerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static WorkerProcess start(Map<String, String> settings) throws IOException {
        return start(settings, "1g");
    }

    /**
     * A worker with at most {@code maxHeap} of Java heap (-Xmx), launched as in production: an
     * OutOfMemoryError ends the process.
     */
    public static WorkerProcess start(Map<String, String> settings, String maxHeap) throws IOException {
        return start(settings, maxHeap, true);
    }

    /** {@code exitOnOutOfMemoryError} false: without that JVM flag, to test what the worker itself does on an Error. */
    public static WorkerProcess start(Map<String, String> settings, String maxHeap, boolean exitOnOutOfMemoryError)
            throws IOException {
        Path repo = LocalServers.repoRoot();
        Path jar;
        try (Stream<Path> jars = Files.list(repo.resolve("worker/target"))) {
            jar = jars.filter(p -> p.getFileName().toString().endsWith("-exec.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("worker exec jar not built"));
        }
        int port = freePort();
        Path work = Files.createTempDirectory("n2n-worker-");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                (exitOnOutOfMemoryError ? "-XX:+" : "-XX:-") + "ExitOnOutOfMemoryError",
                "-Dai.djl.offline=true",
                "-DDJL_CACHE_DIR=" + work.resolve("djl"),
                "-Dorg.bytedeco.javacpp.cachedir=" + work.resolve("javacpp"),
                "-jar",
                jar.toString()));
        command.addAll(List.of(Pipeline.workerArguments()));
        command.add("--server.port=" + freePort());
        command.add("--management.server.port=" + port);
        settings.forEach((k, v) -> command.add("--" + k + "=" + v));
        Path log = work.resolve("worker.log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        WorkerProcess worker = new WorkerProcess(process, port, log);
        // a test JVM that ends early must not leave workers behind, nor their ~600 MB of unpacked natives
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            worker.removeCaches();
        }));
        // generous: on a loaded machine, unpacking the TensorFlow natives alone can take a minute
        worker.awaitReady(Duration.ofSeconds(300));
        return worker;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited early; see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("worker not ready in " + timeout + "; see " + log);
    }

    /** SIGKILL: no shutdown hooks, no offset commits, no goodbye to the consumer group. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Waits up to {@code timeout} for the process to end by itself; true if it did. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int exitValue() {
        return process.exitValue();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            kill();
        }
        removeCaches();
    }

    /** Removes the worker's DJL and JavaCPP caches (TensorFlow's natives, ~600 MB) once it has exited; the log stays. */
    private void removeCaches() {
        if (process.isAlive()) {
            return;
        }
        for (String cache : List.of("djl", "javacpp")) {
            Path dir = log.resolveSibling(cache);
            if (!Files.exists(dir)) {
                continue;
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException e) {
                System.err.println("could not remove " + dir + ": " + e);
            }
        }
    }
}
