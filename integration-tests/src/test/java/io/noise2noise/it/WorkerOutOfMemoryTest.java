package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobTopics;
import io.noise2noise.testing.TestImages;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A worker whose heap is too small for the job it takes dies of it (the JVM ends at the
 * OutOfMemoryError, -XX:+ExitOnOutOfMemoryError, as everywhere a worker is launched), rather than
 * living on with a stopped listener; the job, whose offset was never committed, goes to the other
 * worker of the group, which completes it. Both are processes of their own, on a jobs topic and
 * consumer group of this test's.
 */
class WorkerOutOfMemoryTest {

    private static final String TOPIC = "n2n.jobs.oom-test";
    private static final String GROUP = "n2n-workers-oom-test";
    /** Enough for a worker to start and take small jobs (about 45 MB of it is live when idle), not for this image. */
    private static final String SMALL_HEAP = "64m";
    private static final int WIDTH = 2400;
    private static final int HEIGHT = 1600;

    @Test
    void aWorkerOutOfMemoryExitsAndAnotherCompletesItsJob() throws Exception {
        Map<String, String> common = Map.of(
                "n2n.topics.jobs", TOPIC,
                "n2n.topics.worker-group", GROUP,
                "spring.kafka.consumer.properties.session.timeout.ms", "6000",
                "spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
        CompletableFuture<WorkerProcess> startingSmall = CompletableFuture.supplyAsync(() -> start(common, "small", SMALL_HEAP));
        CompletableFuture<WorkerProcess> startingLarge = CompletableFuture.supplyAsync(() -> start(common, "large", "1g"));
        try (WorkerProcess small = startingSmall.join(); WorkerProcess large = startingLarge.join();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Backend.get().kafkaBootstrap()))) {
            // both in the group with partitions of their own: the job goes to one of the small worker's
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> partitionsOf(admin, "small").size() > 0 && partitionsOf(admin, "large").size() > 0);
            int partition = partitionsOf(admin, "small").get(0).partition();
            DirectJobs direct = DirectJobs.connect(new JobTopics(TOPIC, null, 0, 0, GROUP));
            byte[] image = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(WIDTH, HEIGHT, 3), 20, 3), "png");
            String id = direct.submit(image, WIDTH, HEIGHT, null, partition);

            assertThat(small.awaitExit(Duration.ofSeconds(120))).as("the small worker exited").isTrue();
            Instant exited = Instant.now();
            assertThat(small.exitValue()).as("-XX:+ExitOnOutOfMemoryError's status").isEqualTo(3);
            assertThat(Files.readString(small.log())).contains("java.lang.OutOfMemoryError");

            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200))
                    .until(() -> direct.find(id).status().isTerminal());
            Job job = direct.find(id);
            assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(job.startedAt()).as("started again, by the other worker, after the first died").isAfter(exited);
            Duration handOver = Duration.between(exited, job.startedAt());
            assertThat(handOver).as("within the session timeout and a rebalance").isLessThan(Duration.ofSeconds(60));
            System.out.printf("OOM hand-over: %dx%d PNG (%d bytes) on a -Xmx%s worker: it exited (status %d); the other "
                            + "worker started the job %d ms later and completed it in %d ms (session timeout 6 s)%n",
                    WIDTH, HEIGHT, image.length, SMALL_HEAP, small.exitValue(), handOver.toMillis(),
                    job.executionTime().toMillis());
        }
    }

    private static WorkerProcess start(Map<String, String> common, String name, String heap) {
        Map<String, String> settings = new java.util.HashMap<>(common);
        settings.put("spring.kafka.consumer.client-id", name);
        try {
            return WorkerProcess.start(settings, heap);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<TopicPartition> partitionsOf(Admin admin, String clientIdPrefix) throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
        return Optional.ofNullable(group).stream().flatMap(g -> g.members().stream())
                .filter(member -> member.clientId().startsWith(clientIdPrefix))
                .map(MemberDescription::assignment)
                .flatMap(assignment -> assignment.topicPartitions().stream())
                .filter(partition -> partition.topic().equals(TOPIC))
                .toList();
    }
}
