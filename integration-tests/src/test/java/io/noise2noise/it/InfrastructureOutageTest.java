package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.noise2noise.testing.TestImages;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Bounded outage tests on loopback: S3 away for 30 s and a broker restart under load. Whatever the
 * gateway accepted (202) must complete once the outage is over; what it could not take it refuses
 * with 503 and Retry-After, never with a lost job. Both servers are back up when each test ends.
 */
class InfrastructureOutageTest {

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext worker;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        Assumptions.assumeFalse(Backend.containers(), "stops and restarts the servers: local backend only");
        gateway = Pipeline.gateway(Map.of("n2n.gateway.publish-timeout", "3s"));
        worker = Pipeline.worker(Map.of("n2n.worker.retry-max-elapsed", "2m"));
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void s3AwayFor30SecondsRefusesNewJobsAndFinishesAcceptedOnes() throws Exception {
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            accepted.add(submit(i).body().get("id").asText());
        }

        LocalServers.get().stopS3();
        Instant down = Instant.now();
        try {
            HttpJson.Response refused = submit(99);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.raw().headers().firstValue("Retry-After")).isPresent();
            assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + accepted.get(0)).status())
                    .isEqualTo(503);
            Thread.sleep(Math.max(
                    0,
                    Duration.ofSeconds(30)
                            .minus(Duration.between(down, Instant.now()))
                            .toMillis()));
        } finally {
            LocalServers.get().startS3();
        }

        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> accepted.stream()
                        .allMatch(id -> "succeeded"
                                .equals(HttpJson.get(baseUrl + "/v1/jobs/" + id)
                                        .body()
                                        .get("status")
                                        .asText())));
    }

    @Test
    void aBrokerRestartUnderLoadLosesNoAcceptedJob() throws Exception {
        List<String> accepted = new ArrayList<>();
        List<Integer> refusals = new ArrayList<>();
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            Instant end = Instant.now().plusSeconds(40);
            for (int i = 0; i < 60 && Instant.now().isBefore(end); i++) {
                HttpJson.Response response = submit(100 + i);
                if (response.status() == 202) {
                    accepted.add(response.body().get("id").asText());
                } else {
                    refusals.add(response.status());
                }
                sleep(300);
            }
        });
        sleep(3000);
        LocalServers.get().stopKafka();
        sleep(5000);
        LocalServers.get().startKafka();
        load.get();

        assertThat(refusals).as("submissions refused during the restart").allMatch(status -> status == 503);
        assertThat(accepted).hasSizeGreaterThan(5);
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> accepted.stream()
                        .allMatch(id -> "succeeded"
                                .equals(HttpJson.get(baseUrl + "/v1/jobs/" + id)
                                        .body()
                                        .get("status")
                                        .asText())));
    }

    private static HttpJson.Response submit(long seed) {
        String image = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(48, 32, seed), "png"));
        return HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
