package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

/**
 * Job state changes are compare-and-swaps on the job record: racing changes cannot both win, a job
 * that answered {@code canceled} never ends otherwise, and a stale Idempotency-Key claim never leads
 * to a second job. Real gateway and worker on the backend's Kafka and S3.
 */
class JobStateRacesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Submitting and canceling stops after this long, or this many jobs, whichever comes first. */
    private static final Duration CANCEL_RACE_TIME = Duration.ofSeconds(45);

    private static final int CANCEL_RACE_MAX_JOBS = 3000;
    private static final int CLIENTS = 8;
    private static final int CANCEL_DELAY_MAX_MS = 300;

    private static ConfigurableApplicationContext gateway;
    private static ConfigurableApplicationContext worker;
    private static String baseUrl;
    private static ObjectStore objects;
    private static JobStore jobs;

    @BeforeAll
    static void start() {
        gateway = Pipeline.gateway(Map.of());
        worker = Pipeline.worker(Map.of());
        baseUrl = Pipeline.baseUrl(gateway);
        objects = Backend.get().objectStore(Pipeline.BUCKET);
        jobs = new JobStore(objects, Jackson2ObjectMapperBuilder.json().build());
    }

    @AfterAll
    static void stop() {
        worker.close();
        gateway.close();
    }

    @Test
    void ofTwoChangesRacingFromOneStateExactlyOneWins() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            int rounds = 40;
            int cancels = 0;
            for (int round = 0; round < rounds; round++) {
                String id = createQueued();
                CountDownLatch go = new CountDownLatch(1);
                Future<Optional<Job>> cancel = threads.submit(() -> {
                    go.await();
                    return jobs.advance(id, ifQueued(current -> current.canceled("race", Instant.now())));
                });
                Future<Optional<Job>> start = threads.submit(() -> {
                    go.await();
                    return jobs.advance(id, ifQueued(current -> current.running(Instant.now())));
                });
                go.countDown();
                Optional<Job> canceled = cancel.get(30, TimeUnit.SECONDS);
                Optional<Job> started = start.get(30, TimeUnit.SECONDS);

                assertThat(canceled.isPresent())
                        .as("exactly one of cancel and start wins")
                        .isNotEqualTo(started.isPresent());
                Job winner = canceled.orElseGet(started::get);
                assertThat(jobs.find(id).orElseThrow()).isEqualTo(winner);
                cancels += canceled.isPresent() ? 1 : 0;
            }
            System.out.println("advance races: " + rounds + " cancel-vs-start races, exactly one winner each ("
                    + cancels + " cancels won, " + (rounds - cancels) + " starts won)");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void concurrentChangesAreAllAppliedNoneLost() throws Exception {
        String id = createQueued();
        jobs.advance(id, current -> current.running(Instant.now()).withProgress("m", 0, 1000));
        int perThread = 25;
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                writers.add(threads.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        assertThat(jobs.advance(
                                        id,
                                        current -> current.withProgress(
                                                "m", current.progress().done() + 1, 1000)))
                                .isPresent();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(jobs.find(id).orElseThrow().progress().done()).isEqualTo(2 * perThread);
    }

    @Test
    void aRunThatLostTheJobToANewerAttemptCannotChangeIt() {
        String id = createQueued();
        Job first = jobs.advance(id, current -> current.running(Instant.now())).orElseThrow();
        // the message is redelivered while the first run still works on it
        Job second = jobs.advance(id, current -> current.running(Instant.now())).orElseThrow();
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(second.attempt()).isEqualTo(2);

        Job firstDone = first.succeeded(JobKeys.result(id, first.attempt()), "image/png", 1.0, Instant.now());
        assertThat(jobs.advance(id, current -> current.sameAttemptAs(firstDone) ? firstDone : current))
                .isEmpty();
        Job secondDone = second.succeeded(JobKeys.result(id, second.attempt()), "image/png", 1.0, Instant.now());
        assertThat(jobs.advance(id, current -> current.sameAttemptAs(secondDone) ? secondDone : current))
                .isPresent();
        assertThat(jobs.find(id).orElseThrow().resultKey()).isEqualTo("jobs/" + id + "/attempts/2/result");
    }

    /**
     * Thousands of jobs submitted and canceled at once while a worker takes them: every job whose
     * cancel answered {@code canceled} is still canceled once all have ended.
     */
    @Test
    void noJobThatAnsweredCanceledEndsOtherwise() throws Exception {
        String image = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(16, 16, 7), "png"));
        Map<String, String> answered = new ConcurrentHashMap<>();
        AtomicInteger submitted = new AtomicInteger();
        long stopAt = System.nanoTime() + CANCEL_RACE_TIME.toNanos();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                running.add(clients.submit(() -> {
                    while (System.nanoTime() < stopAt && submitted.incrementAndGet() <= CANCEL_RACE_MAX_JOBS) {
                        HttpJson.Response job = HttpJson.post(baseUrl + "/v1/jobs", Map.of("image", image));
                        assertThat(job.status()).isEqualTo(202);
                        String id = job.body().get("id").asText();
                        // from at once to about when the worker takes it up: both sides of the race
                        Thread.sleep(ThreadLocalRandom.current().nextInt(CANCEL_DELAY_MAX_MS));
                        HttpJson.Response cancel =
                                HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs/" + id + "/cancel"))
                                        .POST(HttpRequest.BodyPublishers.noBody())
                                        .build());
                        assertThat(cancel.status()).isIn(200, 202);
                        answered.put(id, cancel.body().get("status").asText());
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get(CANCEL_RACE_TIME.toSeconds() + 60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        Map<String, JobStatus> ended = new ConcurrentHashMap<>();
        while (ended.size() < answered.size() && System.nanoTime() < deadline) {
            answered.keySet().parallelStream()
                    .filter(id -> !ended.containsKey(id))
                    .forEach(id -> {
                        Job job = jobs.find(id).orElseThrow();
                        if (job.status().isTerminal()) {
                            ended.put(id, job.status());
                        }
                    });
            Thread.sleep(500);
        }
        assertThat(ended).as("every job ended").hasSameSizeAs(answered);

        long answeredCanceled =
                answered.values().stream().filter("canceled"::equals).count();
        List<String> flipped = answered.entrySet().stream()
                .filter(e -> e.getValue().equals("canceled"))
                .filter(e -> ended.get(e.getKey()) != JobStatus.CANCELED)
                .map(Map.Entry::getKey)
                .toList();
        long ranAnyway = ended.values().stream()
                .filter(status -> status == JobStatus.SUCCEEDED)
                .count();
        System.out.println("cancel race: " + answered.size() + " jobs submitted and canceled at once in "
                + CANCEL_RACE_TIME.toSeconds() + " s at most, " + answeredCanceled + " answered canceled, "
                + (answered.size() - answeredCanceled) + " answered running (worker won), " + ranAnyway
                + " ended succeeded; answered canceled but ended otherwise: " + flipped.size());
        assertThat(flipped).isEmpty();
        assertThat(answered.size()).isGreaterThan(100);
    }

    /** The claim's gateway stored the job but could not confirm the claim: a retry gets that job, not a new one. */
    @Test
    void aStaleClaimWhoseJobExistsIsConfirmedNotReplaced() {
        String key = "stale-" + JobIds.newId();
        String image = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(16, 16, 11), "png"));
        String first = submitWithKey(image, key).get("id").asText();
        String[] claim = readClaim(key);
        assertThat(claim[0]).isEqualTo(first);
        writeClaim(key, first, claim[1], true);

        JsonNode retried = submitWithKey(image, key);

        assertThat(retried.get("id").asText()).isEqualTo(first);
        assertThat(readClaim(key)).hasSize(2);
    }

    /** The claim's gateway is slow (or died) before storing its job: a retry takes the claim over for the same job. */
    @Test
    void aStaleClaimWithoutItsJobIsTakenOverForTheSameJob() {
        String key = "slow-" + JobIds.newId();
        String image = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(16, 16, 13), "png"));
        submitWithKey(image, key);
        String[] confirmed = readClaim(key);
        // as a first request that claimed the key for a job it has yet to store
        String slowJob = JobIds.newId();
        writeClaim(key, slowJob, confirmed[1], true);

        JsonNode retried = submitWithKey(image, key);

        assertThat(retried.get("id").asText()).isEqualTo(slowJob);
        assertThat(jobs.find(slowJob)).isPresent();
        assertThat(readClaim(key)).containsExactly(slowJob, confirmed[1]);
    }

    private static JsonNode submitWithKey(String image, String key) {
        try {
            HttpJson.Response response = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(Map.of("image", image))))
                    .build());
            assertThat(response.status()).isIn(200, 202);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The claim's lines: job id, request hash, and "pending", claimed-at while pending. */
    private static String[] readClaim(String key) {
        return new String(objects.get(claimKey(key)).orElseThrow().data(), StandardCharsets.UTF_8).split("\n");
    }

    private static void writeClaim(String key, String jobId, String hash, boolean staleAndPending) {
        String content = jobId + "\n" + hash
                + (staleAndPending
                        ? "\npending\n"
                                + Instant.now().minus(Duration.ofHours(1)).toEpochMilli()
                        : "");
        objects.put(claimKey(key), content.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    /** Where the gateway keeps a key's claim, with API keys off (no owner). */
    private static String claimKey(String key) {
        return JobKeys.idempotencyClaim(null, key);
    }

    private static String createQueued() {
        String id = JobIds.newId();
        jobs.create(Job.queued(
                id, new JobSpec(null, 0.5, null, null, null, null, null, null, null), "png", 16, 16, Instant.now()));
        return id;
    }

    private static UnaryOperator<Job> ifQueued(UnaryOperator<Job> change) {
        return current -> current.status() == JobStatus.QUEUED ? change.apply(current) : current;
    }
}
