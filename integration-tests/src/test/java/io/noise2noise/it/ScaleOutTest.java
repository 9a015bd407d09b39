package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.noise2noise.testing.TestImages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.MessageListenerContainer;

/** Two workers in one consumer group share a stream of jobs; every job is done exactly once. */
class ScaleOutTest {

    private static final int JOBS = 16;

    private static ConfigurableApplicationContext gateway;
    private static final List<ConfigurableApplicationContext> workers = new ArrayList<>();

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(Map.of());
        workers.add(Pipeline.worker(Map.of()));
        workers.add(Pipeline.worker(Map.of()));
        // submit only once the group has settled, so no rebalance moves a job mid-flight
        int partitions = gateway.getBean(KafkaAdmin.class)
                .describeTopics("n2n.jobs")
                .get("n2n.jobs")
                .partitions()
                .size();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> workers.stream().allMatch(ScaleOutTest::hasPartitions)
                        && workers.stream()
                                        .mapToInt(ScaleOutTest::partitionCount)
                                        .sum()
                                == partitions);
    }

    @AfterAll
    static void stop() {
        workers.forEach(ConfigurableApplicationContext::close);
        gateway.close();
    }

    @Test
    void twoWorkersShareTheJobsAndDoEachOnce() {
        String baseUrl = Pipeline.baseUrl(gateway);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            String image = Base64.getEncoder()
                    .encodeToString(
                            TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(48, 40, i), 15, i), "png"));
            ids.add(HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image))
                    .body()
                    .get("id")
                    .asText());
        }

        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> ids.stream()
                        .allMatch(id -> HttpJson.get(baseUrl + "/v1/jobs/" + id)
                                .body()
                                .get("status")
                                .asText()
                                .equals("succeeded")));

        List<Double> doneByEach = workers.stream().map(ScaleOutTest::succeeded).toList();
        assertThat(doneByEach.stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(JOBS);
        assertThat(doneByEach).allMatch(done -> done > 0);
    }

    private static double succeeded(ConfigurableApplicationContext worker) {
        var counter = worker.getBean(MeterRegistry.class)
                .find("n2n.worker.jobs")
                .tag("status", "succeeded")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static boolean hasPartitions(ConfigurableApplicationContext worker) {
        return partitionCount(worker) > 0;
    }

    private static int partitionCount(ConfigurableApplicationContext worker) {
        return worker.getBean(KafkaListenerEndpointRegistry.class).getListenerContainers().stream()
                .map(MessageListenerContainer::getAssignedPartitions)
                .mapToInt(partitions -> partitions == null ? 0 : partitions.size())
                .sum();
    }
}
