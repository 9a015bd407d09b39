package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobTopics;
import io.noise2noise.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Poison jobs against one real worker (real Kafka, real S3, real TensorFlow): messages that cannot
 * be read, jobs whose processing fails the same way every time, a job whose storage keeps failing.
 * Each ends {@code failed} exactly once, only the ones the error handler gave up on reach the
 * dead-letter topic (once, with spring-kafka's exception headers), and normal jobs mixed in are not
 * held up. Jobs are published straight to the worker, as the gateway would (which refuses some of
 * them at submission).
 */
class PoisonJobsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A PNG wider than JPEG's 65 500 pixels: written as JPEG, the encoder refuses it on every attempt. */
    private static final int WIDE = 65_536;

    private static final long MAX_UPLOAD_BYTES = 2 << 20;
    private static final int POISON = 6;
    private static final String UNENCODABLE = "unencodable";
    private static final String TOO_LARGE = "too large";
    private static final String UNREADABLE = "unreadable";

    private static ConfigurableApplicationContext worker;
    private static DirectJobs direct;
    private static TopicReader deadLetters;
    private static TopicReader results;
    private static byte[] unencodable;

    @BeforeAll
    static void start() {
        worker = Pipeline.worker(Map.of(
                "n2n.worker.retry-initial-interval", "200ms",
                "n2n.worker.retry-max-interval", "500ms",
                "n2n.worker.retry-max-elapsed", "2s",
                "n2n.images.max-bytes", "1MB",
                "n2n.images.max-upload-bytes", MAX_UPLOAD_BYTES + "B"));
        direct = DirectJobs.of(worker);
        JobTopics topics = worker.getBean(JobTopics.class);
        deadLetters = new TopicReader(topics.deadLetters());
        results = new TopicReader(topics.results());
        unencodable = TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(WIDE, 8, 1), 10, 1), "png");
    }

    @AfterAll
    static void stop() {
        deadLetters.close();
        results.close();
        worker.close();
    }

    @Test
    void anUnreadableMessageAndAJobWhoseStorageKeepsFailingReachTheDeadLetterTopicOnce() throws Exception {
        byte[] garbage = "{\"jobId\": not json".getBytes(StandardCharsets.UTF_8);
        String unreadable = direct.submitUnreadable(garbage);
        // a name over the file system's 255 bytes: S3Proxy answers every read of it with 500, as a failing store would
        String storageFails = direct.submitReading("k".repeat(300));

        awaitEnded(List.of(unreadable, storageFails), Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !deadLetters.records(unreadable).isEmpty()
                        && !deadLetters.records(storageFails).isEmpty());
        Thread.sleep(2000); // room for a second dead letter or a second failed event, were there one

        ConsumerRecord<String, byte[]> unreadableLetter = only(deadLetters.records(unreadable));
        assertThat(unreadableLetter.value()).as("the message as it was").isEqualTo(garbage);
        assertThat(header(unreadableLetter, KafkaHeaders.DLT_EXCEPTION_FQCN)).endsWith("DeserializationException");
        assertThat(header(unreadableLetter, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).isNotBlank();
        assertThat(header(unreadableLetter, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo("n2n.jobs");

        ConsumerRecord<String, byte[]> storageLetter = only(deadLetters.records(storageFails));
        assertThat(header(storageLetter, KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN))
                .isEqualTo("io.noise2noise.storage.StorageUnavailableException");
        assertThat(header(storageLetter, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).contains("S3");
        assertThat(storageLetter.partition()).as("kept its partition").isEqualTo(originalPartition(storageLetter));
        System.out.printf(
                "dead letters: unreadable message -> %s; storage failing -> %s (cause %s)%n",
                header(unreadableLetter, KafkaHeaders.DLT_EXCEPTION_FQCN),
                header(storageLetter, KafkaHeaders.DLT_EXCEPTION_FQCN),
                header(storageLetter, KafkaHeaders.DLT_EXCEPTION_CAUSE_FQCN));

        Job unreadableJob = direct.find(unreadable);
        assertThat(unreadableJob.status()).isEqualTo(JobStatus.FAILED);
        assertThat(unreadableJob.error())
                .isEqualTo(new JobError(JobError.PROCESSING_FAILED, "the job's message could not be read"));
        Job failingJob = direct.find(storageFails);
        assertThat(failingJob.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failingJob.error().message())
                .isEqualTo("storage or the message broker stayed unavailable through every retry");
        assertThat(events(storageFails, "running"))
                .as("retried, each attempt marks it running")
                .isGreaterThan(1);
        for (String id : List.of(unreadable, storageFails)) {
            assertThat(events(id, "failed")).as("failed events of " + id).isEqualTo(1);
        }
    }

    @Test
    void aResultTheEncoderRefusesFailsAtOnceWithAMessageForTheClient() {
        String id = direct.submit(unencodable, WIDE, 8, "jpeg");

        awaitEnded(List.of(id), Duration.ofSeconds(60));

        Job job = direct.find(id);
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.error().code()).isEqualTo(JobError.OUTPUT_NOT_ENCODABLE);
        assertThat(job.error().message())
                .contains("65536x8", "jpeg")
                .doesNotContain("Exception", "java", "io.noise2noise")
                .doesNotContainPattern("\\w\\.\\w+\\(");
        assertThat(job.executionTime())
                .as("failed in seconds, not after minutes of back-off")
                .isLessThan(Duration.ofSeconds(30));
        assertNotRetried(id);
        System.out.printf(
                "encoder refusal (%dx8 PNG as JPEG): failed after one attempt in %d ms; error %s: %s%n",
                WIDE,
                job.executionTime().toMillis(),
                job.error().code(),
                job.error().message());
    }

    @Test
    void poisonJobsMixedIntoNormalTrafficHoldUpNoOne() throws InterruptedException {
        List<Long> alone = latenciesMs(runTraffic(8, 0, new LinkedHashMap<>()));
        Map<String, String> poison = new LinkedHashMap<>();
        List<Long> mixed = latenciesMs(runTraffic(12, POISON, poison));

        long poisonWorkMs = poison.keySet().stream()
                .map(direct::find)
                .map(Job::executionTime)
                .filter(Objects::nonNull)
                .mapToLong(Duration::toMillis)
                .sum();
        // the stated bound: one consumer runs the jobs in turn, so a normal job may wait for the poison
        // jobs' single attempts (seconds: the unencodable ones are denoised before the encoder refuses
        // them), never for a back-off (2 minutes each in production), plus 5 s for a loaded machine
        long bound = percentile(alone, 100) + poisonWorkMs + 5_000;
        System.out.printf(
                "normal 64x64 jobs, end-to-end: alone p50 %d ms max %d ms (n=%d); with %d poison jobs "
                        + "mixed in (%s) p50 %d ms max %d ms (n=%d); bound %d ms (alone max + %d ms of poison attempts + 5 s)%n",
                percentile(alone, 50),
                percentile(alone, 100),
                alone.size(),
                poison.size(),
                String.join(", ", poison.values()),
                percentile(mixed, 50),
                percentile(mixed, 100),
                mixed.size(),
                bound,
                poisonWorkMs);
        assertThat(percentile(mixed, 100)).isLessThan(bound);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> poison.keySet().stream().allMatch(id -> events(id, "failed") == 1));
        Thread.sleep(1000); // room for a retry's second attempt or a second dead letter, were there one
        poison.forEach((id, kind) -> {
            assertThat(direct.find(id).status()).isEqualTo(JobStatus.FAILED);
            assertThat(events(id, "failed")).as("failed events of " + kind).isEqualTo(1);
            assertThat(events(id, "running")).as("attempts of " + kind).isLessThanOrEqualTo(1);
            assertThat(deadLetters.records(id)).as("dead letters of " + kind).hasSize(kind.equals(UNREADABLE) ? 1 : 0);
        });
    }

    /**
     * Publishes {@code normal} small jobs 200 ms apart and, after every second one, a poison job
     * until there are {@code poisonCount} (in turn: an unencodable result, an input over the size
     * limit, an unreadable message), recorded in {@code poison} by id with their kind; waits for the
     * normal jobs to succeed and returns them.
     */
    private static List<Job> runTraffic(int normal, int poisonCount, Map<String, String> poison) {
        Random random = new Random(normal);
        byte[] small =
                TestImages.encode(TestImages.withGaussianNoise(TestImages.scene(64, 64, normal), 15, normal), "png");
        byte[] tooLarge = new byte[(int) MAX_UPLOAD_BYTES + 1];
        random.nextBytes(tooLarge);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < normal; i++) {
            ids.add(direct.submit(small, 64, 64, null));
            if (i % 2 == 1 && i / 2 < poisonCount) {
                switch (i / 2 % 3) {
                    case 0 -> poison.put(direct.submit(unencodable, WIDE, 8, "jpeg"), UNENCODABLE);
                    case 1 -> poison.put(direct.submit(tooLarge, 64, 64, null), TOO_LARGE);
                    default -> poison.put(direct.submitUnreadable(new byte[] {(byte) i, 0, 'x'}), UNREADABLE);
                }
            }
            sleep(200);
        }
        awaitEnded(ids, Duration.ofSeconds(60));
        List<Job> done = ids.stream().map(direct::find).toList();
        assertThat(done).allMatch(job -> job.status() == JobStatus.SUCCEEDED);
        return done;
    }

    private static void assertNotRetried(String id) {
        sleep(1000); // a retry would have marked it running again by now (the back-off starts at 200 ms)
        assertThat(events(id, "running")).as("attempts").isEqualTo(1);
        assertThat(events(id, "failed")).isEqualTo(1);
        assertThat(deadLetters.records(id))
                .as("dead letters of a job that failed by itself")
                .isEmpty();
    }

    private static List<Long> latenciesMs(List<Job> jobs) {
        return jobs.stream()
                .map(job -> Duration.between(job.createdAt(), job.completedAt()).toMillis())
                .sorted()
                .toList();
    }

    private static long percentile(List<Long> sorted, int percent) {
        return sorted.get((int) Math.ceil(percent / 100.0 * sorted.size()) - 1);
    }

    private static void awaitEnded(List<String> ids, Duration atMost) {
        await().atMost(atMost)
                .pollInterval(Duration.ofMillis(100))
                .until(() ->
                        ids.stream().allMatch(id -> direct.find(id).status().isTerminal()));
    }

    /** How many records with {@code status} the worker published on the results topic for job {@code id}. */
    private static long events(String id, String status) {
        return results.records(id).stream()
                .map(record -> status(record.value()))
                .filter(status::equals)
                .count();
    }

    private static String status(byte[] job) {
        try {
            JsonNode node = JSON.readTree(job);
            return node.path("status").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ConsumerRecord<String, byte[]> only(List<ConsumerRecord<String, byte[]>> records) {
        assertThat(records).as("dead letters").hasSize(1);
        return records.get(0);
    }

    private static int originalPartition(ConsumerRecord<String, byte[]> letter) {
        Header header = letter.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION);
        return java.nio.ByteBuffer.wrap(header.value()).getInt();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
