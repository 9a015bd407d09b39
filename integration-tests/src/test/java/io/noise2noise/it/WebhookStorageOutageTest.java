package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.noise2noise.testing.TestImages;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Storage trouble while a webhook is delivered is retried like a failed delivery, not given up at
 * once: the receiver answers 204 while S3 is away, so the attempt cannot be recorded; once S3 is
 * back, a retry delivers and records it.
 */
class WebhookStorageOutageTest {

    @Test
    void aDeliveryThatCannotBeRecordedIsRetriedUntilStorageIsBack() throws Exception {
        Assumptions.assumeFalse(Backend.containers(), "stops and restarts S3: local backend only");
        // 8 attempts, 1 s doubling: about two minutes of retries, far more than the outage
        try (ConfigurableApplicationContext gateway = Pipeline.gateway(Map.of(
                        "n2n.gateway.webhooks.attempts", "8", "n2n.gateway.webhooks.first-retry-delay-ms", "1000"));
                ConfigurableApplicationContext worker = Pipeline.worker(Map.of())) {
            deliverThroughAnOutage(Pipeline.baseUrl(gateway));
        }
    }

    private static void deliverThroughAnOutage(String baseUrl) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newCachedThreadPool());
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (requests.incrementAndGet() == 1) {
                sleep(3000); // S3 goes away meanwhile
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String png = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(32, 32, 5), "png"));
            String id = HttpJson.post(
                            baseUrl + "/v1/jobs",
                            Map.of(
                                    "image",
                                    png,
                                    "webhook",
                                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"))
                    .body()
                    .get("id")
                    .asText();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> requests.get() == 1);

            LocalServers.get().stopS3();
            Instant down = Instant.now();
            try {
                sleep(8000);
            } finally {
                LocalServers.get().startS3();
            }
            Instant up = Instant.now();

            JsonNode delivery = await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(
                            () -> HttpJson.webhookDeliveries(baseUrl, id),
                            node -> node.size() == 1
                                    && node.get(0).get("delivered").asBoolean())
                    .get(0);
            System.out.printf(
                    "webhook storage outage: S3 away %d ms; delivered and recorded %d ms after it was back, "
                            + "%d requests to the receiver%n",
                    Duration.between(down, up).toMillis(),
                    Duration.between(up, Instant.now()).toMillis(),
                    requests.get());
            assertThat(requests.get())
                    .as("the answer lost with S3 away was asked for again")
                    .isGreaterThanOrEqualTo(2);
        } finally {
            receiver.stop(0);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
