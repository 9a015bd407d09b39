package io.noise2noise.gateway.legacy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.gateway.access.ApiKeyFilter;
import io.noise2noise.gateway.jobs.JobCompletions;
import io.noise2noise.gateway.jobs.JobSubmissions;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.storage.ObjectStore;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The original service's contract, kept for its clients: {@code POST /} with
 * {@code {"base64Image": "..."}} answers {@code {"code":0,"msg":"SUCCESS","data":{"base64Image":"..."}}}
 * once the job is done. Underneath it is an ordinary job, waited for up to {@code legacy-wait}
 * without holding a thread; a request over the waiter caps is refused (429) before its job is created.
 */
@RestController
public class LegacyController {

    /** Past the wait itself: only a backstop, the waiter's own time-out answers first. */
    private static final Duration ASYNC_TIMEOUT_MARGIN = Duration.ofSeconds(30);

    private final JobSubmissions submissions;
    private final JobCompletions completions;
    private final ObjectStore objects;
    private final GatewayProperties properties;
    private final ObjectMapper mapper;

    public LegacyController(
            JobSubmissions submissions,
            JobCompletions completions,
            ObjectStore objects,
            GatewayProperties properties,
            ObjectMapper mapper) {
        this.submissions = submissions;
        this.completions = completions;
        this.objects = objects;
        this.properties = properties;
        this.mapper = mapper;
    }

    public record LegacyRequest(String base64Image, String model, Double strength) {}

    @PostMapping(path = "/", produces = MediaType.APPLICATION_JSON_VALUE)
    public DeferredResult<ResponseEntity<StreamingResponseBody>> denoise(
            @RequestBody LegacyRequest request,
            HttpServletRequest http,
            @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        byte[] image = JobSubmissions.decodeBase64("base64Image", request.base64Image());
        JobCompletions.Waiter waiter = completions
                .reserve(JobCompletions.client(owner, http.getRemoteAddr()))
                .orElseThrow(() -> new RequestRefusedException(
                        Reason.TOO_MANY_WAITERS,
                        "too many requests are waiting for their jobs; try again later",
                        properties.waiters().retryAfter()));
        JobSpec spec = new JobSpec(
                request.model(),
                request.strength() == null ? 1.0 : request.strength(),
                null,
                null,
                null,
                null,
                null,
                null,
                owner);
        Job job;
        try {
            job = submissions.submit(new JobSubmissions.Submission(image, spec, null));
        } catch (RuntimeException e) {
            waiter.release();
            throw e;
        }
        DeferredResult<ResponseEntity<StreamingResponseBody>> answer = new DeferredResult<>(
                properties.legacyWait().plus(ASYNC_TIMEOUT_MARGIN).toMillis());
        answer.onCompletion(waiter::release);
        completions.await(waiter, job.id(), properties.legacyWait()).whenComplete((finished, failure) -> {
            if (failure != null) {
                answer.setErrorResult(failure);
                return;
            }
            try {
                answer.setResult(ResponseEntity.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(result(job, finished)));
            } catch (LegacyException e) {
                answer.setErrorResult(e);
            }
        });
        return answer;
    }

    /** Streams the result; reading it from storage starts only once the answer is being written. */
    private StreamingResponseBody result(Job job, Optional<Job> finished) {
        Job done = finished.orElseThrow(() ->
                new LegacyException("timed out after " + properties.legacyWait().toSeconds() + " s waiting for job "
                        + job.id() + "; its result will be at /v1/jobs/" + job.id()));
        if (done.status() != JobStatus.SUCCEEDED) {
            throw new LegacyException(
                    done.error() == null
                            ? "job " + done.status().wireName()
                            : done.error().message());
        }
        String key = done.resultKey();
        return out -> {
            Optional<Long> size = objects.size(key);
            if (size.isEmpty()) {
                out.write(mapper.writeValueAsBytes(LegacyResponse.error("result of job " + job.id() + " is missing")));
                return;
            }
            new LegacyResultBody(
                            size.get(),
                            LegacyResultBody.RANGE_BYTES,
                            (offset, length) -> objects.read(key, offset, length))
                    .writeTo(out);
        };
    }

    static class LegacyException extends RuntimeException {
        LegacyException(String message) {
            super(message);
        }
    }
}
