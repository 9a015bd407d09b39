package io.noise2noise.gateway.jobs;

import static io.noise2noise.gateway.MvcAnswers.answer;
import static io.noise2noise.gateway.MvcAnswers.finish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.matchesPattern;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewaySlice;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.WebhookEvent;
import io.noise2noise.testing.TestImages;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.ResultMatcher;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The job API's web layer with API keys on: header grammars, ownership, 200/202 and {@code Prefer},
 * problem details, over the real services (in-memory bucket, recording producer).
 */
@WebMvcTest(properties = "spring.config.name=gateway")
@ContextConfiguration(classes = GatewaySlice.class)
@TestPropertySource(locations = "classpath:api-keys-slice.properties")
class JobControllerTest {

    private static final byte[] PNG = TestImages.encode(TestImages.scene(40, 30, 3), "png");
    private static final String TEAM_A = "Bearer key-a";
    private static final String TEAM_B = "Bearer key-b";

    @Autowired
    private MockMvc mvc;

    @Autowired
    private GatewayServices gateway;

    @Autowired
    private ObjectMapper mapper;

    @BeforeEach
    void freshState() {
        gateway.broker.clear();
        gateway.backlog.set(0);
        gateway.objects.setUnavailable(false);
    }

    @AfterEach
    void storageBack() {
        gateway.objects.setUnavailable(false);
    }

    private static MockHttpServletRequestBuilder submitJson(String caller) {
        return post("/v1/jobs")
                .header(HttpHeaders.AUTHORIZATION, caller)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"image\":\"" + Base64.getEncoder().encodeToString(PNG) + "\"}");
    }

    private String submitted(String caller) throws Exception {
        return id(answer(mvc, submitJson(caller)).andExpect(status().isAccepted()));
    }

    private String id(ResultActions answer) throws Exception {
        return json(answer).get("id").asText();
    }

    private JsonNode json(ResultActions answer) throws Exception {
        return mapper.readTree(answer.andReturn().getResponse().getContentAsByteArray());
    }

    private static ResultMatcher problem(int status) {
        return result -> {
            status().is(status).match(result);
            content()
                    .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .match(result);
            // a refusal's own type, or Spring's about:blank for its own errors
            jsonPath("$.type")
                    .value(matchesPattern("urn:noise2noise:problem:[a-z-]+|about:blank"))
                    .match(result);
            jsonPath("$.status").value(status).match(result);
        };
    }

    @Test
    void aSubmissionThatDoesNotWaitIsAnsweredWithoutAnAsyncDispatch() throws Exception {
        // an async dispatch runs the whole filter chain a second time, for nothing to wait on
        mvc.perform(submitJson(TEAM_A)).andExpect(request().asyncNotStarted()).andExpect(status().isAccepted());
        mvc.perform(multipart("/v1/jobs")
                        .file(new MockMultipartFile("file", "scene.png", "image/png", PNG))
                        .header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(request().asyncNotStarted())
                .andExpect(status().isAccepted());
        mvc.perform(post("/v1/jobs")
                        .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                        .contentType(MediaType.IMAGE_PNG)
                        .content(PNG))
                .andExpect(request().asyncNotStarted())
                .andExpect(status().isAccepted());
        // nor a GET whose Prefer cannot apply
        mvc.perform(get("/v1/jobs/" + submitted(TEAM_A))
                        .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                        .header("Prefer", "handling=lenient"))
                .andExpect(request().asyncNotStarted())
                .andExpect(status().isOk());
        // one that waits is answered later, holding no thread
        mvc.perform(submitJson(TEAM_A).header("Prefer", "wait=5"))
                .andExpect(request().asyncStarted());
    }

    @Test
    void aJsonSubmissionIsAcceptedWith202AndTheJobsLocation() throws Exception {
        ResultActions answer = answer(mvc, submitJson(TEAM_A))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.status").value("queued"))
                .andExpect(jsonPath("$.width").value(40))
                .andExpect(jsonPath("$.height").value(30));
        String id = id(answer);

        answer.andExpect(header().string(HttpHeaders.LOCATION, "/v1/jobs/" + id));
        assertThat(gateway.publishedJobs()).extracting(JobRequested::jobId).containsExactly(id);
        assertThat(gateway.jobs.find(id).orElseThrow().spec().owner()).isEqualTo("team-a");
    }

    @Test
    void aJsonSubmissionNamesOneImageSourceAndAnImageUrlPassesTheWebhookAddressRules() throws Exception {
        mvc.perform(post("/v1/jobs")
                        .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"image\":\"" + Base64.getEncoder().encodeToString(PNG)
                                + "\",\"image_url\":\"https://example.org/a.png\"}"))
                .andExpect(problem(400))
                .andExpect(jsonPath("$.detail").value("give one of image, upload_id and image_url, not 2"));
        mvc.perform(post("/v1/jobs")
                        .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"image_url\":\"http://169.254.169.254/latest/meta-data\"}"))
                .andExpect(problem(422))
                .andExpect(jsonPath("$.detail").value("image_url must be a public host on an allowed port"));
        assertThat(gateway.publishedJobs()).isEmpty();
    }

    @Test
    void aGetThatPrefersToWaitAnswersWhenTheJobEndsOrAsItIsAtTheEndOfTheWait() throws Exception {
        String id = submitted(TEAM_A);
        ResultActions waiting = mvc.perform(
                get("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_A).header("Prefer", "wait=10"));
        Thread.sleep(200);
        Job ended = gateway.jobs
                .advance(
                        id,
                        job -> job.running(Instant.now())
                                .succeeded(JobKeys.result(id, 1), "image/png", 5, Instant.now()))
                .orElseThrow();
        gateway.completions.onJobEvent(ended);

        finish(mvc, waiting)
                .andExpect(status().isOk())
                .andExpect(header().string("Preference-Applied", "wait=10"))
                .andExpect(jsonPath("$.status").value("succeeded"));

        String queued = submitted(TEAM_A);
        long start = System.nanoTime();
        finish(
                        mvc,
                        mvc.perform(get("/v1/jobs/" + queued)
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .header("Prefer", "wait=1")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("queued"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        answer(
                        mvc,
                        get("/v1/jobs/" + queued)
                                .header(HttpHeaders.AUTHORIZATION, TEAM_B)
                                .header("Prefer", "wait=1"))
                .andExpect(problem(404));
    }

    @Test
    void anEventStreamSendsEachStateAndProgressOnceThenTheEnd() throws Exception {
        String id = submitted(TEAM_A);
        ResultActions stream = mvc.perform(get("/v1/jobs/" + id + "/events")
                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                .accept(MediaType.TEXT_EVENT_STREAM));
        Thread.sleep(1500);
        gateway.jobs.advance(id, job -> job.running(Instant.now()).withProgress("gaussian", 1, 4));
        Thread.sleep(1500);
        gateway.jobs.advance(id, job -> job.withProgress("gaussian", 3, 4));
        Thread.sleep(1500);
        gateway.jobs.advance(id, job -> job.succeeded(JobKeys.result(id, 1), "image/png", 5, Instant.now()));
        stream.andReturn().getAsyncResult(10_000);

        String events = stream.andReturn().getResponse().getContentAsString();
        assertThat(events.lines().filter(line -> line.startsWith("event:")))
                .containsExactly("event:state", "event:state", "event:state", "event:end");
        assertThat(events)
                .contains("\"status\":\"queued\"")
                .contains("\"done\":1")
                .contains("\"done\":3")
                .contains("\"status\":\"succeeded\"");
        answer(mvc, get("/v1/jobs/" + id + "/events").header(HttpHeaders.AUTHORIZATION, TEAM_B))
                .andExpect(problem(404));
    }

    @Test
    void rawAndMultipartSubmissionsTakeTheirParametersFromTheQueryAndForm() throws Exception {
        gateway.publishModel("gaussian", true);
        String raw = id(answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.IMAGE_PNG)
                                .content(PNG)
                                .queryParam("strength", "0.5")
                                .queryParam("format", "jpeg")
                                .queryParam("webhook_events_filter", "start,completed"))
                .andExpect(status().isAccepted()));
        String form = id(answer(
                        mvc,
                        multipart("/v1/jobs")
                                .file(new MockMultipartFile("file", "in.png", "image/png", PNG))
                                .param("model", "gaussian")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isAccepted()));

        assertThat(gateway.jobs.find(raw).orElseThrow().spec().strength()).isEqualTo(0.5);
        assertThat(gateway.jobs.find(raw).orElseThrow().spec().format()).isEqualTo("jpeg");
        assertThat(gateway.jobs.find(raw).orElseThrow().spec().webhookEvents())
                .containsExactlyInAnyOrder(WebhookEvent.START, WebhookEvent.COMPLETED);
        assertThat(gateway.jobs.find(form).orElseThrow().spec().model()).isEqualTo("gaussian");
        assertThat(gateway.objects.get(JobKeys.input(form)).orElseThrow().data())
                .isEqualTo(PNG);
    }

    @Test
    void withoutAValidKeyTheAnswerIs401() throws Exception {
        answer(mvc, get("/v1/jobs/" + JobIds.newId()))
                .andExpect(problem(401))
                .andExpect(header().string(HttpHeaders.WWW_AUTHENTICATE, "Bearer"));
        answer(mvc, submitJson("Bearer not-a-key")).andExpect(problem(401));
        assertThat(gateway.broker.history()).isEmpty();
    }

    @Test
    void anotherKeysJobIsNotFoundByAnyRoute() throws Exception {
        String id = submitted(TEAM_A);

        answer(mvc, get("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.id").value(id));
        answer(mvc, get("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_B))
                .andExpect(problem(404));
        answer(mvc, get("/v1/jobs/" + id + "/result").header(HttpHeaders.AUTHORIZATION, TEAM_B))
                .andExpect(problem(404));
        answer(mvc, post("/v1/jobs/" + id + "/cancel").header(HttpHeaders.AUTHORIZATION, TEAM_B))
                .andExpect(problem(404));
        answer(mvc, post("/v1/jobs/" + id + "/retry").header(HttpHeaders.AUTHORIZATION, TEAM_B))
                .andExpect(problem(404));
        answer(mvc, get("/v1/jobs/not-an-id").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(problem(404));
        assertThat(gateway.jobs.isCancelRequested(id))
                .as("team-b's cancel changed nothing")
                .isFalse();
    }

    @Test
    void theCallersJobsAreListedNewestFirstInPagesEachAsGetShowsIt() throws Exception {
        Instant since = Instant.now();
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            newestFirst.add(0, submitted(TEAM_A));
            Thread.sleep(2); // one millisecond apart at least: the index orders jobs of one millisecond by id
        }
        submitted(TEAM_B);

        JsonNode first = json(answer(
                        mvc,
                        get("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .queryParam("created_after", since.toString())
                                .queryParam("limit", "2"))
                .andExpect(status().isOk()));
        JsonNode second = json(answer(
                        mvc,
                        get("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .queryParam("created_after", since.toString())
                                .queryParam("limit", "2")
                                .queryParam(
                                        "page_token", first.get("nextPageToken").asText()))
                .andExpect(status().isOk()));

        assertThat(first.get("jobs").findValuesAsText("id")).containsExactlyElementsOf(newestFirst.subList(0, 2));
        assertThat(second.get("jobs").findValuesAsText("id")).containsExactly(newestFirst.get(2));
        assertThat(second.has("nextPageToken")).isTrue();
        assertThat(second.get("nextPageToken").isNull()).isTrue();
        JsonNode shown =
                json(answer(mvc, get("/v1/jobs/" + newestFirst.get(2)).header(HttpHeaders.AUTHORIZATION, TEAM_A)));
        assertThat(second.get("jobs").get(0)).isEqualTo(shown);
        JsonNode queuedOfB = json(answer(
                mvc,
                get("/v1/jobs")
                        .header(HttpHeaders.AUTHORIZATION, TEAM_B)
                        .queryParam("created_after", since.toString())
                        .queryParam("status", "queued")));
        assertThat(queuedOfB.get("jobs")).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "status|finished",
                "limit|0",
                "limit|101",
                "limit|ten",
                "created_after|yesterday",
                "page_token|bm90LWEta2V5"
            })
    void aListingWithAnInvalidParameterIsRefusedWith422(String name, String value) throws Exception {
        answer(mvc, get("/v1/jobs").header(HttpHeaders.AUTHORIZATION, TEAM_A).queryParam(name, value))
                .andExpect(problem(422));
    }

    @Test
    void deleteAnswers204OnceAndOnlyForTheCallersJob() throws Exception {
        String id = submitted(TEAM_A);

        answer(mvc, delete("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_B))
                .andExpect(problem(404));
        assertThat(gateway.jobs.find(id)).isPresent();
        answer(mvc, delete("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isNoContent());
        answer(mvc, delete("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(problem(404));
        answer(mvc, get("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(problem(404));
        assertThat(gateway.objects.list(JobKeys.jobObjects(id))).isEmpty();
    }

    @Test
    void metadataIsTakenFromAJsonBodyOrAFormFieldAndShownWithTheJob() throws Exception {
        String fromJson = id(answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"image\":\"" + Base64.getEncoder().encodeToString(PNG)
                                        + "\",\"metadata\":{\"order\":\"42\",\"customer\":\"acme\"}}"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.metadata.order").value("42")));
        String fromForm = id(answer(
                        mvc,
                        multipart("/v1/jobs")
                                .file(new MockMultipartFile("file", "in.png", "image/png", PNG))
                                .param("metadata", "{\"order\":\"43\"}")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isAccepted()));

        answer(mvc, get("/v1/jobs/" + fromJson).header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(jsonPath("$.metadata.customer").value("acme"));
        assertThat(gateway.jobs.find(fromForm).orElseThrow().spec().metadata()).isEqualTo(Map.of("order", "43"));
        answer(
                        mvc,
                        multipart("/v1/jobs")
                                .file(new MockMultipartFile("file", "in.png", "image/png", PNG))
                                .param("metadata", "[\"order\"]")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(problem(422));
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"image\":\"" + Base64.getEncoder().encodeToString(PNG)
                                        + "\",\"metadata\":{\"k\":{}}}"))
                .andExpect(problem(400));
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.IMAGE_PNG)
                                .content(PNG)
                                .queryParam(
                                        "metadata", "{\"k\":\"" + "v".repeat(JobMetadata.MAX_VALUE_LENGTH + 1) + "\"}"))
                .andExpect(problem(422));
    }

    @Test
    void anIdempotencyKeyGivesTheSameJobAndRefusesAnotherRequest() throws Exception {
        String first = id(answer(mvc, submitJson(TEAM_A).header("Idempotency-Key", "order-17"))
                .andExpect(status().isAccepted()));
        String again = id(answer(mvc, submitJson(TEAM_A).header("Idempotency-Key", "order-17"))
                .andExpect(status().isAccepted()));
        String otherKeysJob = id(answer(mvc, submitJson(TEAM_B).header("Idempotency-Key", "order-17"))
                .andExpect(status().isAccepted()));

        assertThat(again).isEqualTo(first);
        assertThat(otherKeysJob).isNotEqualTo(first);
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .header("Idempotency-Key", "order-17")
                                .contentType(MediaType.IMAGE_PNG)
                                .content(TestImages.encode(TestImages.scene(40, 30, 4), "png")))
                .andExpect(problem(422));
        assertThat(gateway.publishedJobs()).extracting(JobRequested::jobId).containsExactly(first, otherKeysJob);
    }

    @ParameterizedTest
    @CsvSource({"90, 90000", "30s, 30000", "5m, 300000", "2h, 7200000", "1500ms, 1500", "' 45 ', 45000"})
    void cancelAfterSetsTheDeadline(String header, long millis) throws Exception {
        Instant before = Instant.now();
        String id = id(
                answer(mvc, submitJson(TEAM_A).header("Cancel-After", header)).andExpect(status().isAccepted()));

        Instant deadline = gateway.jobs.find(id).orElseThrow().spec().cancelAfter();
        assertThat(deadline).isBetween(before.plusMillis(millis), Instant.now().plusMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "-5", "0", "0s", "1d", "5 m", "25h", "1441m", "99999999999999999999999h"})
    void aCancelAfterThatIsNoDurationUpToTheMaximumIsRefusedWith422(String header) throws Exception {
        answer(mvc, submitJson(TEAM_A).header("Cancel-After", header)).andExpect(problem(422));
        assertThat(gateway.broker.history()).isEmpty();
    }

    @Test
    void preferWaitAnswers200WithTheFinishedJobWhenItEndsInTime() throws Exception {
        ResultActions started = mvc.perform(submitJson(TEAM_A).header("Prefer", "respond-async, wait=20"));
        String id = gateway.publishedJobs().get(0).jobId();
        Job done = gateway.jobs
                .advance(
                        id,
                        job -> job.running(Instant.now())
                                .succeeded(JobKeys.result(id, 1), "image/png", 2.0, Instant.now()))
                .orElseThrow();
        gateway.objects.put(JobKeys.result(id, 1), PNG, "image/png");
        gateway.completions.onJobEvent(done);

        finish(mvc, started)
                .andExpect(status().isOk())
                .andExpect(header().string("Preference-Applied", "wait=20"))
                .andExpect(header().string(HttpHeaders.LOCATION, "/v1/jobs/" + id))
                .andExpect(jsonPath("$.status").value("succeeded"));
    }

    @Test
    void preferWaitAnswers202WhenTheJobIsNotDoneInTime() throws Exception {
        long start = System.nanoTime();
        ResultActions started = mvc.perform(submitJson(TEAM_A).header("Prefer", "wait=2"));

        assertThatThrownBy(() -> started.andReturn().getAsyncResult(0))
                .as("still waiting")
                .isInstanceOf(IllegalStateException.class);
        finish(mvc, started)
                .andExpect(status().isAccepted())
                .andExpect(header().doesNotExist("Preference-Applied"))
                .andExpect(jsonPath("$.status").value("queued"));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"wait=soon", "wait=0", "wait", "wait=-1", "handling=lenient"})
    void aPreferenceWithoutAWaitIsIgnoredAndAnsweredAtOnce(String prefer) throws Exception {
        mvc.perform(submitJson(TEAM_A).header("Prefer", prefer))
                .andExpect(request().asyncNotStarted())
                .andExpect(status().isAccepted())
                .andExpect(header().doesNotExist("Preference-Applied"));
    }

    @Test
    void cancelAnswers200WhenStoppedAnd202WhileTheWorkerHasYetToStop() throws Exception {
        String queued = submitted(TEAM_A);
        String running = submitted(TEAM_A);
        gateway.jobs.advance(running, job -> job.running(Instant.now()));

        answer(mvc, post("/v1/jobs/" + queued + "/cancel").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("canceled"));
        answer(mvc, post("/v1/jobs/" + running + "/cancel").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.status").value("running"));
        assertThat(gateway.jobs.isCancelRequested(running)).isTrue();
    }

    @Test
    void theResultIsStreamedOnceSucceededAndIsAConflictBeforeAndGoneAfterExpiry() throws Exception {
        String id = submitted(TEAM_A);
        answer(mvc, get("/v1/jobs/" + id + "/result").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(problem(409));

        byte[] result = TestImages.encode(TestImages.scene(40, 30, 5), "png");
        gateway.objects.put(JobKeys.result(id, 1), result, "image/png");
        gateway.jobs.advance(
                id,
                job -> job.running(Instant.now()).succeeded(JobKeys.result(id, 1), "image/png", 2.0, Instant.now()));

        answer(mvc, get("/v1/jobs/" + id + "/result").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isOk())
                .andExpect(content().contentType(MediaType.IMAGE_PNG))
                .andExpect(content().bytes(result));
        answer(mvc, get("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(jsonPath("$.result_download_url").isString());

        gateway.objects.delete(JobKeys.result(id, 1));
        answer(mvc, get("/v1/jobs/" + id + "/result").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(problem(410));
        answer(mvc, get("/v1/jobs/" + id).header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(jsonPath("$.result_expired").value(true));
    }

    @Test
    void retryAnswers202WithTheNewJobOnlyForAFailedOne() throws Exception {
        String id = submitted(TEAM_A);
        answer(mvc, post("/v1/jobs/" + id + "/retry").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(problem(409));
        gateway.jobs.advance(id, job -> job.failed(new JobError(JobError.PROCESSING_FAILED, "boom"), Instant.now()));

        ResultActions retried = answer(mvc, post("/v1/jobs/" + id + "/retry").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.retry_of").value(id));
        String newId = id(retried);

        retried.andExpect(header().string(HttpHeaders.LOCATION, "/v1/jobs/" + newId));
        assertThat(gateway.publishedJobs()).extracting(JobRequested::jobId).containsExactly(id, newId);
    }

    @Test
    void refusalsAreProblemDetailsWithTheirStatus() throws Exception {
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"image\":"))
                .andExpect(problem(400));
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"image\":\"***\"}"))
                .andExpect(problem(400));
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.IMAGE_PNG)
                                .content(PNG)
                                .queryParam("strength", "3"))
                .andExpect(problem(422));
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.IMAGE_PNG)
                                .content("not an image"))
                .andExpect(problem(415));
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.TEXT_PLAIN)
                                .content("hello"))
                .andExpect(problem(415));
        assertThat(gateway.broker.history()).isEmpty();
    }

    @Test
    void aFullQueueIs429AndStorageDownIs503BothWithRetryAfter() throws Exception {
        gateway.backlog.set(gateway.properties.backpressure().maxQueuedJobs() + 1);
        answer(mvc, submitJson(TEAM_A))
                .andExpect(problem(429))
                .andExpect(jsonPath("$.type").value("urn:noise2noise:problem:queue-full"))
                .andExpect(jsonPath("$.title").value("Queue full"))
                .andExpect(header().string(
                                HttpHeaders.RETRY_AFTER,
                                String.valueOf(gateway.properties
                                        .backpressure()
                                        .retryAfter()
                                        .toSeconds())));
        gateway.backlog.set(0);

        gateway.objects.setUnavailable(true);
        answer(mvc, submitJson(TEAM_A))
                .andExpect(problem(503))
                .andExpect(jsonPath("$.type").value("urn:noise2noise:problem:storage-unavailable"))
                .andExpect(header().exists(HttpHeaders.RETRY_AFTER));
        answer(mvc, get("/v1/jobs/" + JobIds.newId()).header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(problem(503));
        assertThat(gateway.broker.history()).isEmpty();
    }

    @Test
    void anUploadSlotIsCreatedWithAPresignedPutUrl() throws Exception {
        JsonNode slot = json(answer(mvc, post("/v1/uploads").header(HttpHeaders.AUTHORIZATION, TEAM_A))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.method").value("PUT")));

        String uploadId = slot.get("upload_id").asText();
        assertThat(slot.get("url").asText()).contains(JobKeys.upload(uploadId));
        assertThat(Instant.parse(slot.get("expires_at").asText()))
                .isCloseTo(Instant.now().plus(gateway.properties.presignedUrlTtl()), within(1, ChronoUnit.MINUTES));
        gateway.objects.put(JobKeys.upload(uploadId), PNG, "image/png");

        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_B)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"upload_id\":\"" + uploadId + "\"}"))
                .andExpect(problem(422));
        answer(
                        mvc,
                        post("/v1/jobs")
                                .header(HttpHeaders.AUTHORIZATION, TEAM_A)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"upload_id\":\"" + uploadId + "\"}"))
                .andExpect(status().isAccepted());
    }
}
