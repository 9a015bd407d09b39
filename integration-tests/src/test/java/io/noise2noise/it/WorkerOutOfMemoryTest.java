package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobTopics;
import io.noise2noise.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * A worker whose heap is too small for the job it takes dies of it, rather than living on with a
 * stopped listener while its health says UP; the job, whose offset was never committed, goes to the
 * other worker of the group, which completes it. Once launched as in production
 * (-XX:+ExitOnOutOfMemoryError: the JVM ends at the error), once without that flag (the worker
 * halts itself when the Error stops its listener). Workers are processes of their own, on a jobs
 * topic and consumer group of this test's.
 */
class WorkerOutOfMemoryTest {

    private static final String TOPIC = "n2n.jobs.oom-test";
    private static final String GROUP = "n2n-workers-oom-test";
    /** Enough for a worker to start and take small jobs (about 45 MB of it is live when idle), not for this image. */
    private static final String SMALL_HEAP = "64m";

    private static final int WIDTH = 2400;
    private static final int HEIGHT = 1600;
    private static final Map<String, String> SETTINGS = Map.of(
            "n2n.topics.jobs",
            TOPIC,
            "n2n.topics.worker-group",
            GROUP,
            "spring.kafka.consumer.properties.session.timeout.ms",
            "6000",
            "spring.kafka.consumer.properties.heartbeat.interval.ms",
            "1000");

    private static WorkerProcess large;
    private static Admin admin;
    private static DirectJobs direct;
    private static byte[] image;

    @BeforeAll
    static void start() {
        large = start("large", "1g", true);
        admin = Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Backend.get().kafkaBootstrap()));
        direct = DirectJobs.connect(
                new Binder(new MapConfigurationPropertySource(SETTINGS)).bindOrCreate("n2n.topics", JobTopics.class));
        image = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(WIDTH, HEIGHT, 3), 20, 3), "png");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        admin.close();
        large.close();
    }

    @Test
    void launchedAsInProductionTheJvmEndsAtTheErrorAndTheOtherWorkerCompletesTheJob() throws Exception {
        handOver(true, "java.lang.OutOfMemoryError");
    }

    @Test
    void withoutTheJvmFlagTheWorkerHaltsWhenTheErrorStopsItsListener() throws Exception {
        handOver(false, "listener container stopped after an Error");
    }

    private static void handOver(boolean exitOnOutOfMemoryError, String logged) throws Exception {
        String name = "small-" + exitOnOutOfMemoryError;
        try (WorkerProcess small = start(name, SMALL_HEAP, exitOnOutOfMemoryError)) {
            // both in the group with partitions of their own: the job goes to one of the small worker's
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> !partitionsOf(name).isEmpty()
                            && !partitionsOf("large").isEmpty());
            String id = direct.submit(
                    image, WIDTH, HEIGHT, null, partitionsOf(name).get(0).partition());

            assertThat(small.awaitExit(Duration.ofSeconds(120)))
                    .as("the small worker exited")
                    .isTrue();
            Instant exited = Instant.now();
            assertThat(small.exitValue())
                    .as("exit status (-XX:+ExitOnOutOfMemoryError's, which the worker's halt copies)")
                    .isEqualTo(3);
            assertThat(Files.readString(small.log())).contains(logged);

            await().atMost(Duration.ofSeconds(240))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> direct.find(id).status().isTerminal());
            Job job = direct.find(id);
            assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(job.attempt())
                    .as("started a second time, by the other worker, after the first died")
                    .isEqualTo(2);
            // may be negative: a worker halting on its own leaves the group before its process has ended
            Duration handOver = Duration.between(exited, job.startedAt());
            assertThat(handOver)
                    .as("within the session timeout and a rebalance")
                    .isLessThan(Duration.ofSeconds(60));
            System.out.printf(
                    "OOM hand-over (%s): %dx%d PNG (%d bytes) on a -Xmx%s worker: it exited (status %d); the "
                            + "other worker started the job %d ms later and completed it in %d ms (session timeout 6 s)%n",
                    exitOnOutOfMemoryError ? "-XX:+ExitOnOutOfMemoryError" : "no JVM flag, the worker's own halt",
                    WIDTH,
                    HEIGHT,
                    image.length,
                    SMALL_HEAP,
                    small.exitValue(),
                    handOver.toMillis(),
                    job.executionTime().toMillis());
        }
    }

    private static WorkerProcess start(String name, String heap, boolean exitOnOutOfMemoryError) {
        Map<String, String> settings = new HashMap<>(SETTINGS);
        settings.put("spring.kafka.consumer.client-id", name);
        try {
            return WorkerProcess.start(settings, heap, exitOnOutOfMemoryError);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<TopicPartition> partitionsOf(String clientIdPrefix) throws Exception {
        ConsumerGroupDescription group =
                admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
        return Optional.ofNullable(group).stream()
                .flatMap(g -> g.members().stream())
                .filter(member -> member.clientId().startsWith(clientIdPrefix + "-"))
                .map(MemberDescription::assignment)
                .flatMap(assignment -> assignment.topicPartitions().stream())
                .filter(partition -> partition.topic().equals(TOPIC))
                .toList();
    }
}
