package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.noise2noise.testing.TestImages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** Bounded fault tests on loopback: what is accepted is done, once, whatever happens to a worker. */
class FaultToleranceTest {

    private static final int JOBS = 8;
    private static final Map<String, String> WORKER_SETTINGS = Map.of(
            "n2n.inference.tile-size", "128",
            "n2n.inference.engine-threads", "1",
            "spring.kafka.consumer.properties.session.timeout.ms", "6000",
            "spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");

    private static ConfigurableApplicationContext gateway;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(Map.of());
        baseUrl = Pipeline.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void workersKilledInTheMiddleOfJobsLoseNothingAndCompleteEachJobOnce() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.failingFirst(0)) {
            List<String> ids = new ArrayList<>();
            WorkerProcess worker = WorkerProcess.start(WORKER_SETTINGS);
            for (int i = 0; i < JOBS; i++) {
                String image = Base64.getEncoder()
                        .encodeToString(TestImages.encode(
                                TestImages.withGaussianNoise(TestImages.scene(512, 384, 100 + i), 20, i), "png"));
                ids.add(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image, "webhook", receiver.url()))
                        .body()
                        .get("id")
                        .asText());
            }

            for (int kill = 1; kill <= 2; kill++) {
                int target = 2 * kill;
                await().atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> succeeded(ids) >= target && running(ids) > 0);
                worker.kill();
                worker = WorkerProcess.start(WORKER_SETTINGS);
            }
            try (WorkerProcess last = worker) {
                await().atMost(Duration.ofSeconds(180))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> succeeded(ids) == JOBS);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> receiver.verified().size() >= JOBS);
                Thread.sleep(2000); // room for a duplicate to show up, were there one
            }

            Map<String, Long> completions = receiver.verified().stream()
                    .collect(Collectors.groupingBy(
                            delivery -> delivery.body().get("id").asText(), Collectors.counting()));
            assertThat(completions.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(completions.values()).as("completed webhooks per job").containsOnly(1L);
            for (String id : ids) {
                assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + id + "/result").status())
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void aWorkerAskedToStopFinishesTheJobInHandFirst() throws Exception {
        WorkerProcess worker = WorkerProcess.start(WORKER_SETTINGS);
        String image = Base64.getEncoder()
                .encodeToString(
                        TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(1600, 1200, 7), 20, 7), "png"));
        String id = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image))
                .body()
                .get("id")
                .asText();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> running(List.of(id)) == 1);

        worker.close(); // SIGTERM, then waits for the process to exit

        assertThat(HttpJson.get(baseUrl + "/v1/jobs/" + id).body().get("status").asText())
                .isEqualTo("succeeded");
    }

    private static long succeeded(List<String> ids) {
        return statuses(ids).getOrDefault("succeeded", 0L);
    }

    private static long running(List<String> ids) {
        return statuses(ids).getOrDefault("running", 0L);
    }

    private static Map<String, Long> statuses(List<String> ids) {
        return ids.stream()
                .map(id -> HttpJson.get(baseUrl + "/v1/jobs/" + id)
                        .body()
                        .get("status")
                        .asText())
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
