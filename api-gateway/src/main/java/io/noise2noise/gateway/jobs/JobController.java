package io.noise2noise.gateway.jobs;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** The asynchronous job API: submit, poll, fetch the result. */
@RestController
public class JobController {

    private final JobSubmissions submissions;
    private final JobStore jobs;
    private final ObjectStore objects;

    public JobController(JobSubmissions submissions, JobStore jobs, ObjectStore objects) {
        this.submissions = submissions;
        this.jobs = jobs;
        this.objects = objects;
    }

    public record JobRequest(String image, String model, Double strength, String webhook) {
    }

    @PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<JobView> submitJson(@RequestBody JobRequest request) {
        byte[] image = JobSubmissions.decodeBase64("image", request.image());
        return accepted(submissions.submit(
                new JobSubmissions.Submission(image, request.model(), request.strength(), request.webhook())));
    }

    @PostMapping(path = "/v1/jobs", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<JobView> submitUpload(@RequestPart("file") MultipartFile file,
                                                @RequestParam(required = false) String model,
                                                @RequestParam(required = false) Double strength,
                                                @RequestParam(required = false) String webhook) throws IOException {
        return accepted(submissions.submit(
                new JobSubmissions.Submission(file.getBytes(), model, strength, webhook)));
    }

    @GetMapping("/v1/jobs/{id}")
    public JobView status(@PathVariable String id) {
        return JobView.of(find(id));
    }

    @GetMapping("/v1/jobs/{id}/result")
    public ResponseEntity<byte[]> result(@PathVariable String id) {
        Job job = find(id);
        if (job.status() != JobStatus.SUCCEEDED) {
            throw new SubmissionException(HttpStatus.CONFLICT, "job " + id + " is " + job.status().wireName()
                    + ", it has no result");
        }
        ObjectStore.StoredObject result = objects.get(JobKeys.result(id)).orElseThrow(
                () -> new SubmissionException(HttpStatus.GONE, "the result of job " + id + " is no longer stored"));
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(job.resultContentType())).body(result.data());
    }

    private Job find(String id) {
        return jobs.find(id).orElseThrow(() -> new SubmissionException(HttpStatus.NOT_FOUND, "no job " + id));
    }

    private static ResponseEntity<JobView> accepted(Job job) {
        return ResponseEntity.accepted().location(URI.create(JobView.location(job.id()))).body(JobView.of(job));
    }
}
