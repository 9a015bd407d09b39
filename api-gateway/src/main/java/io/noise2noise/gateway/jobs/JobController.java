package io.noise2noise.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.gateway.access.ApiKeyFilter;
import io.noise2noise.gateway.bodies.RequestBodies;
import io.noise2noise.gateway.webhooks.WebhookDeliveries;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.WebhookEvent;
import io.noise2noise.storage.ObjectStore;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.BindParam;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The asynchronous job API: submit (JSON, multipart or a raw image body), poll, fetch the result,
 * cancel, retry, list the caller's jobs, delete one. Submissions accept {@code Idempotency-Key},
 * {@code Cancel-After} (a deadline) and {@code Prefer: wait=N} (answer with the finished job if it ends
 * within N seconds).
 */
@RestController
public class JobController {

    /** Past the wait itself: only a backstop, the waiter's own time-out answers first. */
    private static final Duration ASYNC_TIMEOUT_MARGIN = Duration.ofSeconds(30);

    private static final Pattern DURATION = Pattern.compile("(\\d+)(h|m|s|ms)?");

    private final JobSubmissions submissions;
    private final JobCancellations cancellations;
    private final JobCompletions completions;
    private final JobStore jobs;
    private final ObjectStore objects;
    private final WebhookDeliveries deliveries;
    private final GatewayProperties properties;
    private final RequestBodies bodies;
    private final UploadSlots uploadSlots;
    private final ImageUrls imageUrls;
    private final JobWatches watches;
    private final JobListing listing;
    private final JobDeletions deletions;
    private final ObjectMapper mapper;

    public JobController(
            JobSubmissions submissions,
            JobCancellations cancellations,
            JobCompletions completions,
            JobStore jobs,
            ObjectStore objects,
            WebhookDeliveries deliveries,
            GatewayProperties properties,
            RequestBodies bodies,
            UploadSlots uploadSlots,
            ImageUrls imageUrls,
            JobWatches watches,
            JobListing listing,
            JobDeletions deletions,
            ObjectMapper mapper) {
        this.uploadSlots = uploadSlots;
        this.watches = watches;
        this.imageUrls = imageUrls;
        this.listing = listing;
        this.deletions = deletions;
        this.mapper = mapper;
        this.submissions = submissions;
        this.cancellations = cancellations;
        this.completions = completions;
        this.jobs = jobs;
        this.objects = objects;
        this.deliveries = deliveries;
        this.properties = properties;
        this.bodies = bodies;
    }

    /**
     * Exactly one of {@code image} (base64), {@code upload_id} (from {@code POST /v1/uploads}) or
     * {@code image_url} (an http(s) URL the gateway fetches); {@code metadata}: the client's own labels,
     * bounded by {@link JobMetadata}.
     */
    public record JobRequest(
            String image,
            @JsonProperty("upload_id") String uploadId,
            @JsonProperty("image_url") String imageUrl,

            @Schema(
                    description = "A model's name (GET /v1/models), or auto, the default: the worker chooses"
                            + " from the image's noise (model_used, model_reason)")
            String model,

            Double strength,
            String format,
            Float quality,
            String webhook,
            @JsonProperty("webhook_events_filter") Set<WebhookEvent> webhookEventsFilter,
            Map<String, String> metadata) {}

    public record UploadSlot(
            @JsonProperty("upload_id") String uploadId,
            String method,
            URI url,
            @JsonProperty("expires_at") Instant expiresAt) {}

    /**
     * A presigned URL to PUT a large image straight into storage, bypassing the gateway; then
     * submit a job with its {@code upload_id}.
     */
    @PostMapping("/v1/uploads")
    public ResponseEntity<UploadSlot> upload(
            @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        UploadSlots.Opened opened = uploadSlots.open(owner);
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(new UploadSlot(opened.uploadId(), "PUT", opened.url(), opened.urlExpiresAt()));
    }

    /**
     * Job parameters sent as form fields (multipart) or as query parameters (raw image body);
     * {@code metadata} as a JSON object's text.
     */
    public record JobParameters(
            String model,
            Double strength,
            String format,
            Float quality,
            String webhook,
            @BindParam("webhook_events_filter") List<String> webhookEventsFilter,
            String metadata) {}

    /** The submission headers every way of submitting shares. */
    private record SubmissionHeaders(String idempotencyKey, String cancelAfter, String prefer) {
        static SubmissionHeaders of(HttpHeaders headers) {
            return new SubmissionHeaders(
                    headers.getFirst("Idempotency-Key"), headers.getFirst("Cancel-After"), headers.getFirst("Prefer"));
        }
    }

    @PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Object submitJson(
            @RequestBody JobRequest request,
            @RequestHeader HttpHeaders headers,
            @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        SubmissionHeaders submission = SubmissionHeaders.of(headers);
        JobSpec spec = spec(
                request.model(),
                request.strength(),
                request.format(),
                request.quality(),
                request.webhook(),
                request.webhookEventsFilter(),
                request.metadata(),
                submission.cancelAfter(),
                owner);
        long sources = Stream.of(request.image(), request.uploadId(), request.imageUrl())
                .filter(Objects::nonNull)
                .count();
        if (sources > 1) {
            throw new RequestRefusedException(
                    Reason.MALFORMED_REQUEST, "give one of image, upload_id and image_url, not " + sources);
        }
        Job job;
        if (request.uploadId() != null) {
            job = submissions.submitUpload(request.uploadId(), spec, submission.idempotencyKey());
        } else if (request.imageUrl() != null) {
            job = imageUrls.withImage(
                    request.imageUrl(),
                    image -> submissions.submit(
                            new JobSubmissions.Submission(image, spec, submission.idempotencyKey())));
        } else {
            job = submissions.submit(new JobSubmissions.Submission(
                    JobSubmissions.decodeBase64("image", request.image()), spec, submission.idempotencyKey()));
        }
        return answer(job, submission.prefer(), owner);
    }

    @PostMapping(path = "/v1/jobs", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public Object submitUpload(
            @RequestPart("file") MultipartFile file,
            @ModelAttribute JobParameters parameters,
            @RequestHeader HttpHeaders headers,
            @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner)
            throws IOException {
        return submitWithParameters(file.getBytes(), parameters, headers, owner);
    }

    /**
     * The body is read by {@link RequestBodies#read}: bounded by the route's limit, one array of its
     * declared length (described for the API document here, as the method takes the request itself).
     */
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true,
            content = @Content(mediaType = "image/*", schema = @Schema(type = "string", format = "binary")))
    @PostMapping(path = "/v1/jobs", consumes = "image/*")
    public Object submitRaw(
            HttpServletRequest request,
            @ModelAttribute JobParameters parameters,
            @RequestHeader HttpHeaders headers,
            @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        return submitWithParameters(bodies.read(request), parameters, headers, owner);
    }

    private Object submitWithParameters(byte[] image, JobParameters parameters, HttpHeaders headers, String owner) {
        SubmissionHeaders submission = SubmissionHeaders.of(headers);
        JobSpec spec = spec(
                parameters.model(),
                parameters.strength(),
                parameters.format(),
                parameters.quality(),
                parameters.webhook(),
                eventsFilter(parameters.webhookEventsFilter()),
                JobMetadata.parse(parameters.metadata(), mapper),
                submission.cancelAfter(),
                owner);
        return answer(
                submissions.submit(new JobSubmissions.Submission(image, spec, submission.idempotencyKey())),
                submission.prefer(),
                owner);
    }

    @GetMapping("/v1/jobs/{id}")
    public JobView status(
            @PathVariable String id, @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        return view(find(id, owner));
    }

    /**
     * With {@code Prefer: wait=N}: the job once it has ended, or as it is after N seconds (a long
     * poll that holds no thread; over the waiter caps the preference is not applied). Answered like
     * a submission ({@link #answer}): at once when there is nothing to wait for.
     */
    @GetMapping(path = "/v1/jobs/{id}", headers = "Prefer")
    public Object statusWhenEnded(
            @PathVariable String id,
            @RequestHeader("Prefer") String prefer,
            @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        Job job = find(id, owner);
        Optional<Waiting> waiting = waiting(job, prefer, owner);
        if (waiting.isEmpty()) {
            return ResponseEntity.ok(view(job));
        }
        DeferredResult<ResponseEntity<JobView>> answer = waiting.get().answer();
        completions
                .await(waiting.get().waiter(), id, waiting.get().time())
                .thenApplyAsync(ended -> view(ended.orElseGet(() -> find(id, owner))), watches.executor())
                .whenComplete((view, failure) -> {
                    if (failure != null) {
                        answer.setErrorResult(failure instanceof CompletionException ? failure.getCause() : failure);
                    } else {
                        answer.setResult(ResponseEntity.ok()
                                .header("Preference-Applied", waiting.get().applied())
                                .body(view));
                    }
                });
        return answer;
    }

    /** A {@code Prefer: wait} being applied: for how long, and the waiter reserved for it under the caps. */
    private record Waiting(Duration time, JobCompletions.Waiter waiter) {

        /** The answer to come: it gives the waiter back once set, and times out a margin after the wait. */
        DeferredResult<ResponseEntity<JobView>> answer() {
            DeferredResult<ResponseEntity<JobView>> answer =
                    new DeferredResult<>(time.plus(ASYNC_TIMEOUT_MARGIN).toMillis());
            answer.onCompletion(waiter::release);
            return answer;
        }

        String applied() {
            return "wait=" + time.toSeconds();
        }
    }

    /**
     * The wait {@code prefer} asks for, if it applies: a job not yet ended, and a waiter free under
     * the caps (empty otherwise: the request is answered at once).
     */
    private Optional<Waiting> waiting(Job job, String prefer, String owner) {
        Optional<Duration> wait = WaitPreference.of(prefer, properties.maxWait());
        if (wait.isEmpty() || job.status().isTerminal()) {
            return Optional.empty();
        }
        return completions
                .reserve(JobCompletions.client(owner, currentRemoteAddress()))
                .map(waiter -> new Waiting(wait.get(), waiter));
    }

    /**
     * The job's state and progress as Server-Sent Events ({@code state} while it is queued or
     * running, then one {@code end}), each the job as {@code GET /v1/jobs/{id}} shows it.
     */
    @GetMapping(path = "/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public SseEmitter events(
            @PathVariable String id, @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        Job job = find(id, owner);
        return watches.follow(job, JobCompletions.client(owner, currentRemoteAddress()))
                .orElseThrow(() -> new RequestRefusedException(
                        Reason.TOO_MANY_WAITERS,
                        "too many requests are following jobs (n2n.gateway.waiters); try again later",
                        properties.waiters().retryAfter()));
    }

    /** A page of the caller's jobs; {@code nextPageToken} is null on the last page. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record JobPage(List<JobView> jobs, String nextPageToken) {}

    /**
     * The caller's jobs, newest first, each as {@code GET /v1/jobs/{id}} shows it: {@code status} one of
     * the job states, {@code created_after} an ISO instant, {@code limit} 1 to {@value JobListing#MAX_LIMIT}
     * (default {@value JobListing#DEFAULT_LIMIT}), {@code page_token} the previous page's {@code nextPageToken}.
     */
    @GetMapping("/v1/jobs")
    public JobPage list(
            @RequestParam(required = false) String status,
            @RequestParam(name = "created_after", required = false) String createdAfter,
            @RequestParam(name = "page_token", required = false) String pageToken,
            @RequestParam(required = false) String limit,
            @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        JobListing.Page page = listing.list(new JobListing.Query(
                owner, parseStatus(status), parseInstant(createdAfter), blankToNull(pageToken), parseLimit(limit)));
        return new JobPage(page.jobs().stream().map(this::view).toList(), page.nextPageToken());
    }

    /** Cancels the job if it has not finished, then removes it and all it stored: 204, and from then on 404. */
    @DeleteMapping("/v1/jobs/{id}")
    public ResponseEntity<Void> delete(
            @PathVariable String id, @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        deletions.delete(find(id, owner));
        return ResponseEntity.noContent().build();
    }

    /** The job with its webhook deliveries and, once it succeeded, a link to its result while that is stored. */
    private JobView view(Job job) {
        String id = job.id();
        List<WebhookDeliveries.Delivery> delivered = job.spec().webhook() == null
                ? List.of()
                : job.spec().webhookEvents().stream()
                        .map(event -> deliveries.find(id, event))
                        .flatMap(Optional::stream)
                        .toList();
        if (job.status() != JobStatus.SUCCEEDED) {
            return JobView.of(job, delivered);
        }
        // the bucket's lifecycle rule may have removed the result while the record is still there
        if (!objects.exists(job.resultKey())) {
            return JobView.of(job, delivered, null, true);
        }
        return JobView.of(job, delivered, objects.presignedGet(job.resultKey(), properties.presignedUrlTtl()));
    }

    /** Streamed from storage as it is read: the gateway never holds a result whole. */
    @GetMapping("/v1/jobs/{id}/result")
    public ResponseEntity<InputStreamResource> result(
            @PathVariable String id, @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        Job job = find(id, owner);
        if (job.status() != JobStatus.SUCCEEDED) {
            throw new RequestRefusedException(
                    Reason.JOB_STATE_CONFLICT,
                    "job " + id + " is " + job.status().wireName() + ", it has no result");
        }
        MediaType type = MediaType.parseMediaType(job.resultContentType());
        ObjectStore.ObjectStream result = objects.open(job.resultKey())
                .orElseThrow(() -> new RequestRefusedException(
                        Reason.EXPIRED, "the result of job " + id + " is no longer stored"));
        // the converter closes the stream once it is written
        return ResponseEntity.ok()
                .contentType(type)
                .contentLength(result.size())
                .body(new InputStreamResource(result.data()));
    }

    /** 200 with the canceled (or already finished) job; 202 while a running job's worker has yet to stop it. */
    @PostMapping("/v1/jobs/{id}/cancel")
    public ResponseEntity<JobView> cancel(
            @PathVariable String id, @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        JobCancellations.Outcome outcome = cancellations.cancel(find(id, owner));
        return ResponseEntity.status(outcome.stopped() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(JobView.of(outcome.job()));
    }

    @PostMapping("/v1/jobs/{id}/retry")
    public ResponseEntity<JobView> retry(
            @PathVariable String id, @RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        Job retried = submissions.retry(find(id, owner));
        return ResponseEntity.accepted()
                .location(URI.create(JobView.location(retried.id())))
                .body(JobView.of(retried));
    }

    /**
     * A job of another API key's is as absent as one that never existed; so is, to a key, a job
     * created while keys were off (no owner), and, with keys off, a key's job.
     */
    private Job find(String id, String owner) {
        return jobs.find(id)
                .filter(job -> Objects.equals(job.spec().owner(), owner))
                .orElseThrow(() -> new RequestRefusedException(Reason.JOB_NOT_FOUND, "no job " + id));
    }

    private JobSpec spec(
            String model,
            Double strength,
            String format,
            Float quality,
            String webhook,
            Set<WebhookEvent> events,
            Map<String, String> metadata,
            String cancelAfter,
            String owner) {
        Instant deadline = cancelAfter == null ? null : Instant.now().plus(parseCancelAfter(cancelAfter));
        return new JobSpec(
                blankToNull(model),
                strength == null ? 1.0 : strength,
                blankToNull(format),
                quality,
                blankToNull(webhook),
                events,
                deadline,
                null,
                owner,
                metadata);
    }

    private static JobStatus parseStatus(String value) {
        return optionalParameter(
                value,
                JobStatus::fromWireName,
                () -> "status must be one of "
                        + Arrays.stream(JobStatus.values())
                                .map(JobStatus::wireName)
                                .collect(Collectors.joining(", ")));
    }

    private static Instant parseInstant(String value) {
        return optionalParameter(
                value, Instant::parse, () -> "created_after must be an ISO instant like 2026-12-01T00:00:00Z");
    }

    private static int parseLimit(String value) {
        Integer limit = optionalParameter(
                value, Integer::parseInt, () -> "limit must be between 1 and " + JobListing.MAX_LIMIT);
        return limit == null ? JobListing.DEFAULT_LIMIT : limit;
    }

    /**
     * A query parameter of the listing: null when absent or blank, else {@code parse} of it stripped; what
     * {@code parse} rejects (every JDK parser used here throws an {@link IllegalArgumentException} or a
     * {@link DateTimeParseException}) is refused with {@code problem}.
     */
    private static <T> T optionalParameter(String value, Function<String, T> parse, Supplier<String> problem) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return parse.apply(value.strip());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new RequestRefusedException(Reason.INVALID_PARAMETER, problem.get());
        }
    }

    /**
     * {@code Cancel-After}: seconds, or a number with a unit (ms, s, m, h), e.g. {@code 90}, {@code 5m}.
     * Parsed before anything is stored; a number too large for a {@code long} or a {@link Duration}
     * is just another one over {@code max-cancel-after}.
     */
    private Duration parseCancelAfter(String value) {
        Matcher matcher = DURATION.matcher(value.strip());
        if (!matcher.matches()) {
            throw new RequestRefusedException(
                    Reason.INVALID_PARAMETER, "Cancel-After must be a duration like 90, 30s, 5m or 1h");
        }
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        Duration duration;
        try {
            long amount = Long.parseLong(matcher.group(1));
            duration = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            duration = null;
        }
        if (duration == null || duration.isZero() || duration.compareTo(properties.maxCancelAfter()) > 0) {
            throw new RequestRefusedException(
                    Reason.INVALID_PARAMETER,
                    "Cancel-After must be above zero and at most " + properties.maxCancelAfter());
        }
        return duration;
    }

    private static Set<WebhookEvent> eventsFilter(List<String> values) {
        if (values == null) {
            return null;
        }
        try {
            return values.stream()
                    .flatMap(value -> Arrays.stream(value.split(",")))
                    .map(String::strip)
                    .filter(name -> !name.isEmpty())
                    .map(WebhookEvent::fromWireName)
                    .collect(Collectors.toSet());
        } catch (IllegalArgumentException e) {
            throw new RequestRefusedException(Reason.INVALID_PARAMETER, e.getMessage());
        }
    }

    /**
     * 202 with the queued job ({@code ResponseEntity<JobView>}), or — with {@code Prefer: wait=N} —
     * the finished job if it ends in time ({@code DeferredResult<ResponseEntity<JobView>>}; Spring MVC
     * answers by the returned object's class). The wait holds no thread; over the waiter caps the
     * preference is not applied (202 at once). A submission that does not wait is answered on its
     * own request thread: a DeferredResult, even one already set, costs an async dispatch (a second
     * pass through the filter chain), 14 % of the gateway's CPU when accepting small jobs. The
     * routes' answers are described in {@link io.noise2noise.gateway.ApiDocument}.
     */
    private Object answer(Job job, String prefer, String owner) {
        Optional<Waiting> waiting = waiting(job, prefer, owner);
        if (waiting.isEmpty()) {
            return withoutWaiting(job);
        }
        DeferredResult<ResponseEntity<JobView>> answer = waiting.get().answer();
        completions
                .await(waiting.get().waiter(), job.id(), waiting.get().time())
                .whenComplete((finished, failure) -> {
                    if (failure != null) {
                        answer.setErrorResult(failure);
                    } else {
                        answer.setResult(finished.map(done -> ResponseEntity.ok()
                                        .location(location(job))
                                        .header(
                                                "Preference-Applied",
                                                waiting.get().applied())
                                        .body(JobView.of(done)))
                                .orElseGet(() -> withoutWaiting(job)));
                    }
                });
        return answer;
    }

    private static ResponseEntity<JobView> withoutWaiting(Job job) {
        return ResponseEntity.status(job.status().isTerminal() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .location(location(job))
                .body(JobView.of(job));
    }

    private static URI location(Job job) {
        return URI.create(JobView.location(job.id()));
    }

    private static String currentRemoteAddress() {
        return ((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes())
                .getRequest()
                .getRemoteAddr();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
