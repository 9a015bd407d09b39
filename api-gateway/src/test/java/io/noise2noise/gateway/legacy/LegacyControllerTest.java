package io.noise2noise.gateway.legacy;

import static io.noise2noise.gateway.MvcAnswers.answer;
import static io.noise2noise.gateway.MvcAnswers.finish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.noise2noise.gateway.GatewaySlice;
import io.noise2noise.gateway.jobs.GatewayServices;
import io.noise2noise.gateway.jobs.JobCompletions;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobKeys;
import io.noise2noise.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.ResultMatcher;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The legacy {@code POST /} contract: one request, answered with the denoised image once its job
 * ends, every error as HTTP 200 with {@code code: -1} and the precise status in {@code X-N2N-Status}.
 * API keys off; the job is ended by the test as a worker would.
 */
@WebMvcTest(
        properties = {"spring.config.name=gateway", "n2n.gateway.legacy-wait=3s", "n2n.gateway.waiters.max-per-client=2"
        })
@ContextConfiguration(classes = GatewaySlice.class)
class LegacyControllerTest {

    private static final byte[] PNG = TestImages.encode(TestImages.scene(40, 30, 6), "png");

    @Autowired
    private MockMvc mvc;

    @Autowired
    private GatewayServices gateway;

    @BeforeEach
    void freshBroker() {
        gateway.broker.clear();
    }

    private static MockHttpServletRequestBuilder legacy(String body) {
        return post("/").contentType(MediaType.APPLICATION_JSON).content(body);
    }

    private static MockHttpServletRequestBuilder legacyImage(byte[] image) {
        return legacy("{\"base64Image\":\"" + Base64.getEncoder().encodeToString(image) + "\"}");
    }

    /** The job the request created, ended by {@code end} as its worker would: record, then event. */
    private Job endJob(UnaryOperator<Job> end) {
        String id = gateway.publishedJobs().get(0).jobId();
        Job ended = gateway.jobs
                .advance(id, job -> end.apply(job.running(Instant.now())))
                .orElseThrow();
        gateway.completions.onJobEvent(ended);
        return ended;
    }

    private static ResultMatcher legacyError(int status) {
        return result -> {
            status().isOk().match(result);
            header().string("X-N2N-Status", String.valueOf(status)).match(result);
            jsonPath("$.code").value(-1).match(result);
            jsonPath("$.msg").isString().match(result);
        };
    }

    @Test
    void answersWithTheDenoisedImageOnceTheJobSucceeds() throws Exception {
        byte[] result = TestImages.encode(TestImages.scene(40, 30, 7), "png");
        ResultActions started = mvc.perform(legacyImage(PNG));
        Job done = endJob(job -> job.succeeded(JobKeys.result(job.id(), 1), "image/png", 2.0, Instant.now()));
        gateway.objects.put(done.resultKey(), result, "image/png");

        finish(mvc, started)
                .andExpect(status().isOk())
                .andExpect(header().doesNotExist("X-N2N-Status"))
                .andExpect(jsonPath("$.code").value(0))
                .andExpect(jsonPath("$.msg").value("SUCCESS"))
                .andExpect(
                        jsonPath("$.data.base64Image").value(Base64.getEncoder().encodeToString(result)));
    }

    @Test
    void aFailedJobIsALegacyErrorWithItsMessage() throws Exception {
        ResultActions started = mvc.perform(legacyImage(PNG));
        endJob(job -> job.failed(new JobError(JobError.INVALID_IMAGE, "the image is broken"), Instant.now()));

        finish(mvc, started)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.code").value(-1))
                .andExpect(jsonPath("$.msg").value("the image is broken"));
    }

    @Test
    void aJobNotDoneWithinTheLegacyWaitIsALegacyErrorNamingWhereItsResultWillBe() throws Exception {
        ResultActions answer = answer(mvc, legacyImage(PNG));

        String id = gateway.publishedJobs().get(0).jobId();
        answer.andExpect(status().isOk())
                .andExpect(jsonPath("$.code").value(-1))
                .andExpect(jsonPath("$.msg").value(containsString("/v1/jobs/" + id)));
    }

    @Test
    void refusalsKeepTheLegacyShapeWithTheirStatusInAHeader() throws Exception {
        answer(mvc, legacy("{\"base64Image\":")).andExpect(legacyError(400));
        answer(mvc, legacy("{}")).andExpect(legacyError(400));
        answer(mvc, legacy("{\"base64Image\":\"%%%\"}")).andExpect(legacyError(400));
        answer(mvc, post("/").contentType(MediaType.TEXT_PLAIN).content("hi")).andExpect(legacyError(400));
        answer(mvc, legacyImage("not an image".getBytes(StandardCharsets.UTF_8)))
                .andExpect(legacyError(415));
        answer(mvc, legacy("{\"base64Image\":\"" + Base64.getEncoder().encodeToString(PNG) + "\",\"strength\":7}"))
                .andExpect(legacyError(422));
        assertThat(gateway.broker.history()).isEmpty();
    }

    @Test
    void overTheWaiterCapTheRequestIsRefusedBeforeItsJobIsCreated() throws Exception {
        List<JobCompletions.Waiter> held = new ArrayList<>();
        try {
            while (held.size() < gateway.properties.waiters().maxPerClient()) {
                held.add(gateway.completions
                        .reserve(JobCompletions.client(null, "127.0.0.1"))
                        .orElseThrow());
            }

            answer(mvc, legacyImage(PNG))
                    .andExpect(legacyError(429))
                    .andExpect(header().string(
                                    HttpHeaders.RETRY_AFTER,
                                    String.valueOf(gateway.properties
                                            .waiters()
                                            .retryAfter()
                                            .toSeconds())));
            assertThat(gateway.broker.history()).isEmpty();
        } finally {
            held.forEach(JobCompletions.Waiter::release);
        }
    }

    @Test
    void storageDownIsALegacyError503() throws Exception {
        gateway.objects.setUnavailable(true);
        try {
            answer(mvc, legacyImage(PNG)).andExpect(legacyError(503));
        } finally {
            gateway.objects.setUnavailable(false);
        }
        assertThat(gateway.broker.history()).isEmpty();
    }
}
