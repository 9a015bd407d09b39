package io.noise2noise.gateway.legacy;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.access.ApiKeyFilter;
import io.noise2noise.gateway.jobs.JobSubmissions;
import io.noise2noise.gateway.jobs.JobCompletions;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.storage.ObjectStore;
import java.util.Base64;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The original service's contract, kept for its clients: {@code POST /} with
 * {@code {"base64Image": "..."}} answers {@code {"code":0,"msg":"SUCCESS","data":{"base64Image":"..."}}}
 * once the job is done. Underneath it is an ordinary job, waited for up to {@code legacy-wait}.
 */
@RestController
public class LegacyController {

    private final JobSubmissions submissions;
    private final JobCompletions completions;
    private final ObjectStore objects;
    private final GatewayProperties properties;

    public LegacyController(JobSubmissions submissions, JobCompletions completions, ObjectStore objects,
                            GatewayProperties properties) {
        this.submissions = submissions;
        this.completions = completions;
        this.objects = objects;
        this.properties = properties;
    }

    public record LegacyRequest(String base64Image, String model, Double strength) {
    }

    @PostMapping(path = "/", produces = MediaType.APPLICATION_JSON_VALUE)
    public LegacyResponse denoise(@RequestBody LegacyRequest request,
                                  @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        byte[] image = JobSubmissions.decodeBase64("base64Image", request.base64Image());
        JobSpec spec = new JobSpec(request.model(), request.strength() == null ? 1.0 : request.strength(), null, null, null,
                null, null, null, owner);
        Job job = submissions.submit(new JobSubmissions.Submission(image, spec, null));
        Job finished = completions.await(job.id(), properties.legacyWait()).orElseThrow(() -> new LegacyException(
                "timed out after " + properties.legacyWait().toSeconds() + " s waiting for job " + job.id()
                        + "; its result will be at /v1/jobs/" + job.id()));
        if (finished.status() != JobStatus.SUCCEEDED) {
            throw new LegacyException(finished.error() == null ? "job " + finished.status().wireName()
                    : finished.error().message());
        }
        byte[] result = objects.get(JobKeys.result(job.id()))
                .orElseThrow(() -> new LegacyException("result of job " + job.id() + " is missing"))
                .data();
        return LegacyResponse.success(Base64.getEncoder().encodeToString(result));
    }

    static class LegacyException extends RuntimeException {
        LegacyException(String message) {
            super(message);
        }
    }
}
