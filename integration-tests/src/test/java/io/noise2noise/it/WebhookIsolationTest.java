package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.noise2noise.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Receivers that stall (answer headers and never finish the body, or never answer at all) hold up
 * only their own deliveries: other jobs' webhooks arrive on time, the stalled ones are retried and
 * given up within a bound, and a delivery cut off by a gateway stopping is made again by another.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookIsolationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final int ATTEMPTS = 3;
    private static final Map<String, Object> GATEWAY = Map.of(
            "n2n.gateway.webhooks.timeout",
            TIMEOUT.toMillis() + "ms",
            "n2n.gateway.webhooks.attempts",
            Integer.toString(ATTEMPTS),
            "n2n.gateway.webhooks.max-concurrent",
            "16",
            "n2n.gateway.webhooks.max-per-receiver",
            "2");

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext worker;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(GATEWAY);
        worker = Pipeline.worker(Map.of());
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        worker.close();
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void stalledReceiversHoldUpNoOneElseAndEndBounded() throws Exception {
        int jobsEach = 2;
        // 200 or 503 in the headers, then a body that never ends; or no answer at all
        StalledReceiver okNoBody = StalledReceiver.answering(200);
        StalledReceiver failingNoBody = StalledReceiver.answering(503);
        StalledReceiver silent = StalledReceiver.answering(null);
        List<StalledReceiver> stalled = List.of(okNoBody, failingNoBody, silent);
        try (WebhookReceiver healthy = WebhookReceiver.failingFirst(0)) {
            Map<StalledReceiver, List<String>> stalledIds = new LinkedHashMap<>();
            for (StalledReceiver receiver : stalled) {
                for (int i = 0; i < jobsEach; i++) {
                    stalledIds
                            .computeIfAbsent(receiver, key -> new ArrayList<>())
                            .add(submit(receiver.url(), 10 * i));
                }
            }
            List<String> healthyIds = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                healthyIds.add(submit(healthy.url(), 100 + i));
            }
            Instant submitted = Instant.now();

            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> healthy.verified().size() >= healthyIds.size());
            List<Long> latencies = healthy.verified().stream()
                    .map(delivery -> Duration.between(
                                    Instant.parse(
                                            delivery.body().get("completed_at").asText()),
                                    delivery.arrivedAt())
                            .toMillis())
                    .sorted()
                    .toList();
            System.out.printf(
                    "webhook isolation: %d healthy webhooks among %d to stalled receivers (timeout %d ms): "
                            + "job completed -> webhook arrived, ms: %s (max %d)%n",
                    latencies.size(),
                    stalled.size() * jobsEach,
                    TIMEOUT.toMillis(),
                    latencies,
                    latencies.get(latencies.size() - 1));
            assertThat(healthy.verified())
                    .extracting(delivery -> delivery.body().get("id").asText())
                    .containsExactlyInAnyOrderElementsOf(healthyIds);
            // a poll's records are acknowledged together, so a healthy event can wait for the stalled ones of
            // its poll: each is over within twice the timeout (a wait for a slot, then the delivery)
            assertThat(latencies.get(latencies.size() - 1))
                    .as("worst job completed -> webhook arrived, ms")
                    .isLessThan(2 * TIMEOUT.toMillis() + 5_000);

            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> stalledIds.get(okNoBody).stream().allMatch(id -> attempts(id) == 1)
                            && stalledIds.get(failingNoBody).stream().allMatch(id -> attempts(id) == ATTEMPTS)
                            && stalledIds.get(silent).stream().allMatch(id -> attempts(id) == ATTEMPTS));
            System.out.printf(
                    "webhook isolation: stalled webhooks settled within %d ms of submission (200 without "
                            + "a body: delivered; 503 without a body and no answer: given up after %d attempts)%n",
                    Duration.between(submitted, Instant.now()).toMillis(), ATTEMPTS);
            for (String id : stalledIds.get(okNoBody)) {
                assertThat(delivery(id).get("delivered").asBoolean())
                        .as("the status is all that counts")
                        .isTrue();
            }
            for (String id : stalledIds.get(failingNoBody)) {
                assertThat(delivery(id).get("delivered").asBoolean()).isFalse();
                assertThat(delivery(id).get("last_status").asInt()).isEqualTo(503);
            }
            for (String id : stalledIds.get(silent)) {
                assertThat(delivery(id).get("delivered").asBoolean()).isFalse();
                assertThat(delivery(id).get("last_error").asText()).contains("no answer within");
            }
            Thread.sleep(2 * TIMEOUT.toMillis()); // room for an attempt beyond the last, were there one
            assertThat(okNoBody.requests()).isEqualTo(jobsEach);
            assertThat(failingNoBody.requests()).isEqualTo(jobsEach * ATTEMPTS);
            assertThat(silent.requests()).isEqualTo(jobsEach * ATTEMPTS);
        } finally {
            stalled.forEach(StalledReceiver::close);
        }
    }

    @Test
    @Order(2)
    void aDeliveryCutOffByAStoppingGatewayIsMadeAgainByAnother() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        List<Instant> answered = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newCachedThreadPool());
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (requests.incrementAndGet() == 1) {
                try {
                    Thread.sleep(TIMEOUT.toMillis() * 10); // still under way when the gateway stops
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            answered.add(Instant.now());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        ConfigurableApplicationContext second = null;
        try {
            String id = submit("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", 7);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> requests.get() == 1);

            gateway.close();
            gateway = null;
            second = Pipeline.gateway(GATEWAY);
            String secondUrl = Pipeline.baseUrl(second);

            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> requests.get() >= 2);
            JsonNode delivery = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> HttpJson.webhookDeliveries(secondUrl, id),
                            node -> node.size() == 1
                                    && node.get(0).get("delivered").asBoolean())
                    .get(0);
            System.out.printf(
                    "webhook redelivery: cut off by a stopping gateway, delivered by the next after %d " + "requests%n",
                    requests.get());
            assertThat(delivery.get("attempts").asInt())
                    .as("the attempt cut off was not recorded")
                    .isEqualTo(1);
        } finally {
            if (second != null) {
                gateway = second;
                baseUrl = Pipeline.baseUrl(second);
            }
            receiver.stop(0);
        }
    }

    private static String submit(String webhook, int seed) {
        String png = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(32, 32, seed), "png"));
        HttpJson.Response response = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", png, "webhook", webhook));
        assertThat(response.status()).isEqualTo(202);
        return response.body().get("id").asText();
    }

    private static int attempts(String id) {
        JsonNode delivery = delivery(id);
        return delivery == null ? 0 : delivery.get("attempts").asInt();
    }

    /** The job's one webhook delivery record, or null before its first attempt. */
    private static JsonNode delivery(String id) {
        JsonNode deliveries = HttpJson.webhookDeliveries(baseUrl, id);
        return deliveries == null || deliveries.isEmpty() ? null : deliveries.get(0);
    }

    /** A receiver on loopback that reads each request, then answers only a status line and headers, or nothing. */
    private static final class StalledReceiver implements AutoCloseable {

        private final ServerSocket server;
        private final AtomicInteger requests = new AtomicInteger();
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        /** @param status the status it answers (with a body announced and never sent), or null for no answer */
        private StalledReceiver(Integer status) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(
                    () -> {
                        while (!server.isClosed()) {
                            try {
                                Socket socket = server.accept();
                                open.add(socket);
                                Thread stall = new Thread(() -> stall(socket, status), "stalled-receiver-connection");
                                stall.setDaemon(true);
                                stall.start();
                            } catch (IOException e) {
                                return;
                            }
                        }
                    },
                    "stalled-receiver");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static StalledReceiver answering(Integer status) throws IOException {
            return new StalledReceiver(status);
        }

        private void stall(Socket socket, Integer status) {
            try {
                InputStream in = socket.getInputStream();
                int matched = 0;
                while (matched < 4) { // up to the end of the request headers
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
                }
                requests.incrementAndGet();
                if (status != null) {
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 " + status + " Stalled\r\nContent-Length: 1000000\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the gateway gave up on this connection
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/hook";
        }

        int requests() {
            return requests.get();
        }

        @Override
        public void close() {
            try {
                server.close();
                for (Socket socket : open) {
                    socket.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
