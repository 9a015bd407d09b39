package io.noise2noise.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The store's HTTP connections: how many S3 requests it runs at once ({@code n2n.storage.max-connections}),
 * against a loopback HTTP server that holds each request until all of them have arrived (or 300 ms
 * passed) and counts how many it holds at the same time; and that a request body larger than
 * OkHttp's buffer is not held back by Nagle's algorithm.
 */
class MinioObjectStoreConnectionsTest {

    @Test
    void putsOfSeveralWritesAreNotHeldBackByNagle() throws Exception {
        try (Socket socket = MinioObjectStore.httpClient(1).socketFactory().createSocket()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("ETag", "\"etag\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            ObjectStore store = MinioObjectStore.connect(
                    new StorageProperties(endpoint, null, "ak", "sk", "n2n", "us-east-1", false, 0, 1));
            byte[] body = new byte[12_000]; // a small image: more than OkHttp's 8 KB segment
            long[] nanos = new long[21];
            for (int i = 0; i < nanos.length; i++) {
                long started = System.nanoTime();
                store.put("object", body, "image/png");
                nanos[i] = System.nanoTime() - started;
            }
            Arrays.sort(nanos);
            System.out.printf(
                    "PUT of 12 000 bytes to a loopback server, one connection: median %.1f ms of %d%n",
                    nanos[nanos.length / 2] / 1e6, nanos.length);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void runsAsManyRequestsAtOnceAsConfiguredBeyondOkHttpsFivePerHost() throws Exception {
        assertThat(mostInFlight(16, 16, Duration.ofSeconds(20))).isEqualTo(16);
    }

    @Test
    void queuesRequestsBeyondTheBound() throws Exception {
        assertThat(mostInFlight(3, 9, Duration.ofSeconds(1))).isEqualTo(3);
    }

    /**
     * Sends {@code requests} GETs at once from as many threads; returns the most the server held together.
     * Each request is held until all have arrived or {@code hold} has passed: long where all should fit (a
     * loaded machine may start the client threads slowly), short where the bound makes the rest queue.
     */
    private static int mostInFlight(int maxConnections, int requests, Duration hold) throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch arrived = new CountDownLatch(requests);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService handlers = Executors.newFixedThreadPool(requests);
        ExecutorService clients = Executors.newFixedThreadPool(requests);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> {
            if (!exchange.getRequestURI().getPath().contains("/object-")) {
                // the client's own requests (e.g. the bucket's region) are not among those counted
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
                return;
            }
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            arrived.countDown();
            try {
                arrived.await(hold.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            byte[] body = "x".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            ObjectStore store = MinioObjectStore.connect(
                    new StorageProperties(endpoint, null, "ak", "sk", "n2n", "us-east-1", false, 0, maxConnections));
            List<Future<ObjectStore.StoredObject>> gets = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                String key = "object-" + i;
                gets.add(clients.submit(() -> store.get(key).orElseThrow()));
            }
            for (Future<ObjectStore.StoredObject> get : gets) {
                assertThat(get.get(30, TimeUnit.SECONDS).data()).containsExactly('x');
            }
            System.out.printf(
                    "max-connections %d, %d requests at once: the server held %d together%n",
                    maxConnections, requests, most.get());
            return most.get();
        } finally {
            clients.shutdownNow();
            server.stop(0);
            handlers.shutdownNow();
        }
    }
}
