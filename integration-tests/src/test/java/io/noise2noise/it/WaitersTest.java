package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.jobs.JobCompletions;
import io.noise2noise.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Hundreds of requests waiting for their jobs ({@code Prefer: wait=60}) while no worker consumes:
 * they hold no server thread, the probes on the management port keep answering at once, the ones
 * over the waiter cap get their 202 at once, and when a worker starts, the waiters are woken by the
 * results topic. The legacy route over the cap is refused before its job is created.
 */
class WaitersTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int PER_CLIENT_CAP = 200;
    private static final int REQUESTS = 260;
    private static final int INTAKE_CLIENTS = 16;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private record Answer(int status, JsonNode body, boolean preferenceApplied, Instant at, long millis) {}

    /** One health probe: which, in which phase of the test, how it ended and how long it took. */
    private record Probe(String phase, String path, String outcome, long millis) {}

    @Test
    void waitersHoldNoThreadProbesAnswerAndTheResultsTopicWakesThem() throws Exception {
        // the sweep is made slow, so an answer within seconds of its job's end can only come from the results topic
        ConfigurableApplicationContext gateway = Pipeline.gateway(Map.of(
                "n2n.gateway.waiters.max-per-client", String.valueOf(PER_CLIENT_CAP),
                "n2n.gateway.waiters.store-check-interval", "60s",
                "n2n.gateway.backpressure.max-queued-jobs", "100000"));
        // models loaded up front, its listener started only once the waiters are in place
        ConfigurableApplicationContext worker = Pipeline.worker(Map.of("spring.kafka.listener.auto-startup", "false"));
        try {
            String baseUrl = Pipeline.baseUrl(gateway);
            String managementUrl = Pipeline.managementUrl(gateway);
            JobCompletions completions = gateway.getBean(JobCompletions.class);
            ThreadPoolExecutor apiThreads =
                    (ThreadPoolExecutor) ((TomcatWebServer) ((WebServerApplicationContext) gateway).getWebServer())
                            .getTomcat()
                            .getConnector()
                            .getProtocolHandler()
                            .getExecutor();
            String image = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(24, 24, 5), "png"));
            byte[] body = MAPPER.writeValueAsBytes(Map.of("image", image));

            AtomicReference<String> phase = new AtomicReference<>("intake");
            List<Probe> probeLog = Collections.synchronizedList(new ArrayList<>());
            Thread prober = new Thread(() -> probe(managementUrl, phase, probeLog), "probe");
            prober.start();

            // like INTAKE_CLIENTS clients submitting as fast as they are accepted, none of them hanging up
            Instant intake = Instant.now();
            List<CompletableFuture<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                int sent = i;
                await().pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(5))
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> sent - completions.waiting() - answered(answers) < INTAKE_CLIENTS);
                answers.add(submit(baseUrl, body));
            }
            // everyone under the cap waits; everyone over it has had its 202 already
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            completions.waiting() == PER_CLIENT_CAP && answered(answers) == REQUESTS - PER_CLIENT_CAP);
            double intakeSeconds = Duration.between(intake, Instant.now()).toMillis() / 1000.0;
            List<Answer> overCap = answers.stream()
                    .filter(CompletableFuture::isDone)
                    .map(CompletableFuture::join)
                    .toList();
            List<CompletableFuture<Answer>> waiting =
                    answers.stream().filter(answer -> !answer.isDone()).toList();
            phase.set("waiting");
            int busyMax = 0;
            int jvmThreadsMax = 0;
            for (int i = 0; i < 20; i++) {
                busyMax = Math.max(busyMax, apiThreads.getActiveCount());
                jvmThreadsMax = Math.max(
                        jvmThreadsMax, ManagementFactory.getThreadMXBean().getThreadCount());
                Thread.sleep(250);
            }

            phase.set("draining");
            Instant workerStart = Instant.now();
            worker.getBean(KafkaListenerEndpointRegistry.class)
                    .getListenerContainers()
                    .forEach(MessageListenerContainer::start);
            List<Answer> waited = waiting.stream().map(CompletableFuture::join).toList();
            phase.set(null);
            prober.join();

            System.out.printf(
                    "waiters: %d requests with Prefer: wait=60 accepted in %.1f s (%d clients), %d of them waiting at once%n",
                    REQUESTS, intakeSeconds, INTAKE_CLIENTS, PER_CLIENT_CAP);
            for (String during : List.of("intake", "waiting", "draining")) {
                List<Long> millis = probeMillis(probeLog, during);
                System.out.printf(
                        "waiters: %d health probes (liveness, readiness) on the management port, %s phase: p50 %d ms, p99 %d ms, max %d ms%n",
                        millis.size(), during, percentile(millis, 50), percentile(millis, 99), percentile(millis, 100));
            }
            probeLog.stream()
                    .filter(probe -> probe.millis() >= 1000)
                    .forEach(probe -> System.out.println("waiters: slow probe " + probe));
            System.out.printf(
                    "waiters: API threads busy while %d waited: max %d (Tomcat API pool %d, largest %d); JVM live threads max %d (gateway, worker and test in one JVM)%n",
                    PER_CLIENT_CAP, busyMax, apiThreads.getPoolSize(), apiThreads.getLargestPoolSize(), jvmThreadsMax);
            List<Long> overCapMillis =
                    sorted(overCap.stream().map(Answer::millis).toList());
            System.out.printf(
                    "waiters: %d over the cap answered 202 without waiting: p50 %d ms, max %d ms%n",
                    overCap.size(), percentile(overCapMillis, 50), percentile(overCapMillis, 100));

            List<Answer> finished =
                    waited.stream().filter(answer -> answer.status() == 200).toList();
            List<Long> wakeMillis = sorted(finished.stream()
                    .map(answer -> Duration.between(
                                    Instant.parse(
                                            answer.body().get("completed_at").asText()),
                                    answer.at())
                            .toMillis())
                    .toList());
            System.out.printf(
                    "waiters: %d of %d waiting requests answered 200 once a worker ran, the others 202 at their 60 s; "
                            + "job completed -> answer received: p50 %d ms, p99 %d ms, max %d ms (store sweep every 60 s: woken by the results topic)%n",
                    finished.size(),
                    waited.size(),
                    percentile(wakeMillis, 50),
                    percentile(wakeMillis, 99),
                    percentile(wakeMillis, 100));
            assertThat(probeMillis(probeLog, "waiting")).hasSizeGreaterThan(10);
            assertThat(percentile(probeMillis(probeLog, "waiting"), 100))
                    .as("slowest probe while %d wait, ms", PER_CLIENT_CAP)
                    .isLessThan(1000);
            assertThat(percentile(probeMillis(probeLog, "draining"), 100))
                    .as("slowest probe while a worker drains, ms")
                    .isLessThan(1000);
            // while jobs are being accepted the CPU is shared with the intake (and, here, other builds): no probe may
            // fail
            assertThat(probeLog.stream()
                            .filter(probe -> !probe.outcome().equals("HTTP 200"))
                            .toList())
                    .as("failed probes")
                    .isEmpty();
            assertThat(busyMax)
                    .as("API threads busy while %d requests wait", PER_CLIENT_CAP)
                    .isLessThan(10);
            assertThat(overCap).hasSize(REQUESTS - PER_CLIENT_CAP);
            assertThat(overCap.stream()
                            .filter(answer -> answer.status() != 202
                                    || answer.preferenceApplied()
                                    || !answer.at().isBefore(workerStart))
                            .toList())
                    .as("over the cap: not 202 at once")
                    .isEmpty();

            assertThat(finished).as("waiters whose job finished in time").hasSizeGreaterThan(20);
            assertThat(finished.stream()
                            .filter(answer -> !answer.preferenceApplied()
                                    || !answer.body().get("status").asText().equals("succeeded"))
                            .toList())
                    .as("200 without the finished job")
                    .isEmpty();
            assertThat(waited.stream()
                            .filter(answer ->
                                    answer.status() != 200 && (answer.status() != 202 || answer.millis() < 59_000))
                            .toList())
                    .as("neither 200 nor a 202 at the time-out")
                    .isEmpty();
            assertThat(percentile(wakeMillis, 99))
                    .as("job completed -> answer, p99 ms")
                    .isLessThan(5000);
            assertThat(completions.waiting()).isZero();

            // leave nothing queued for later tests
            answers.stream()
                    .map(CompletableFuture::join)
                    .filter(answer -> answer.status() == 202)
                    .forEach(answer -> HttpJson.post(
                            baseUrl + "/v1/jobs/" + answer.body().get("id").asText() + "/cancel", Map.of()));

            // any number of digits is a wait of at most max-wait (60 s), never a 500
            HttpJson.Response huge = HttpJson.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .header("Prefer", "wait=99999999999999999999")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build());
            assertThat(huge.status()).isEqualTo(200);
            assertThat(huge.raw().headers().firstValue("Preference-Applied")).contains("wait=60");
        } finally {
            worker.close();
            gateway.close();
        }
    }

    @Test
    void aLegacyRequestOverTheCapIsRefusedBeforeItsJobIsCreated() {
        ConfigurableApplicationContext gateway = Pipeline.gateway(
                Map.of("n2n.gateway.waiters.max-per-client", "0", "n2n.gateway.waiters.retry-after", "7s"));
        try {
            String image = Base64.getEncoder().encodeToString(TestImages.encode(TestImages.scene(24, 24, 6), "png"));
            long inputsBefore = TestBucket.count("jobs/", "/input");

            HttpJson.Response legacy = HttpJson.post(Pipeline.baseUrl(gateway) + "/", Map.of("base64Image", image));

            assertThat(legacy.status()).isEqualTo(200);
            assertThat(legacy.raw().headers().firstValue("X-N2N-Status")).contains("429");
            assertThat(legacy.raw().headers().firstValue("Retry-After")).contains("7");
            assertThat(legacy.body().get("code").asInt()).isEqualTo(-1);
            assertThat(legacy.body().get("msg").asText()).contains("waiting");
            assertThat(legacy.body().get("data").isNull()).isTrue();
            assertThat(TestBucket.count("jobs/", "/input")).as("inputs stored").isEqualTo(inputsBefore);
        } finally {
            gateway.close();
        }
    }

    private static CompletableFuture<Answer> submit(String baseUrl, byte[] body) {
        Instant sent = Instant.now();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/jobs"))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=60")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            Instant at = Instant.now();
            try {
                return new Answer(
                        response.statusCode(),
                        MAPPER.readTree(response.body()),
                        response.headers().firstValue("Preference-Applied").isPresent(),
                        at,
                        Duration.between(sent, at).toMillis());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Liveness and readiness in turn until the phase is null; a probe that fails or times out (5 s) counts as 5 s. */
    private static void probe(String managementUrl, AtomicReference<String> phase, List<Probe> log) {
        int turn = 0;
        for (String during = phase.get(); during != null; during = phase.get()) {
            String path = turn++ % 2 == 0 ? "/actuator/health/liveness" : "/actuator/health/readiness";
            long start = System.nanoTime();
            try {
                HttpResponse<Void> response = HTTP.send(
                        HttpRequest.newBuilder(URI.create(managementUrl + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                long millis = (System.nanoTime() - start) / 1_000_000;
                log.add(new Probe(
                        during, path, "HTTP " + response.statusCode(), response.statusCode() == 200 ? millis : 5000));
            } catch (IOException e) {
                log.add(new Probe(during, path, e.toString(), 5000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long answered(List<CompletableFuture<Answer>> answers) {
        return answers.stream().filter(CompletableFuture::isDone).count();
    }

    private static List<Long> probeMillis(List<Probe> log, String phase) {
        synchronized (log) {
            return sorted(log.stream()
                    .filter(probe -> probe.phase().equals(phase))
                    .map(Probe::millis)
                    .toList());
        }
    }

    private static List<Long> sorted(List<Long> values) {
        return values.stream().sorted().toList();
    }

    private static long percentile(List<Long> sorted, int percent) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
