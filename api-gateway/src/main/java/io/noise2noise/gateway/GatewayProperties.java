package io.noise2noise.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param legacyWait      how long {@code POST /} waits for its job before answering with a timeout error
 * @param maxWait         the longest {@code Prefer: wait=N} honoured on submission
 * @param publishTimeout  how long a submission waits for Kafka to acknowledge the job
 * @param maxCancelAfter  the longest deadline a client may set with {@code Cancel-After}
 * @param presignedUrlTtl how long presigned upload and download URLs stay valid
 * @param waiters         bounds on requests waiting for their job ({@code Prefer: wait}, legacy {@code POST /})
 * @param bodies          how much request body the gateway holds at once
 * @param quotas          what one API key (or, with keys off, the anonymous caller) may hold open at once
 * @param imageUrls       fetching a job's image from the {@code image_url} a client gives
 * @param catalogue       how the gateway learns which models the workers run
 */
@Validated
@ConfigurationProperties("n2n.gateway")
public record GatewayProperties(
        @DefaultValue("120s") @NotNull Duration legacyWait,
        @DefaultValue("60s") @NotNull Duration maxWait,
        @DefaultValue("10s") @NotNull Duration publishTimeout,
        @DefaultValue("24h") @NotNull Duration maxCancelAfter,
        @DefaultValue("15m") @NotNull Duration presignedUrlTtl,
        @DefaultValue @Valid @NotNull Webhooks webhooks,
        @DefaultValue @Valid @NotNull Backpressure backpressure,
        @DefaultValue @Valid @NotNull Waiters waiters,
        @DefaultValue @Valid @NotNull Bodies bodies,
        @DefaultValue @Valid @NotNull Quotas quotas,
        @DefaultValue @Valid @NotNull List<ApiKey> apiKeys,
        @DefaultValue @Valid @NotNull ImageUrls imageUrls,
        @DefaultValue @Valid @NotNull Catalogue catalogue) {

    /**
     * The workers' catalogue entries are read from the bucket in the background; submissions and
     * {@code GET /v1/models} use the last read, so a model a worker just started publishing is known
     * within {@code refreshInterval}.
     *
     * @param refreshInterval  how often the catalogue is read
     * @param forgetAfter      entries unseen this long (their workers stopped or died) are deleted, except
     *                         each model's newest, which keeps the model known
     */
    public record Catalogue(
            @DefaultValue("5s") @NotNull @DurationMin(millis = 100)
            Duration refreshInterval,

            @DefaultValue("1h") @NotNull @DurationMin(minutes = 1)
            Duration forgetAfter) {}

    /**
     * A job's image may be given as a URL the gateway fetches (the same address rules as webhooks:
     * {@code webhooks.allow-private-networks}, {@code webhooks.extra-ports}; no redirects). A fetch
     * holds a request thread, so they are bounded: at most {@code maxConcurrent} at once (beyond,
     * 503 with {@code Retry-After: retryAfter}), each within {@code timeout} from connect to the last
     * byte, and each reserves its bytes from the request bodies' in-flight budget.
     *
     * @param timeout        the whole fetch: connect, headers and body
     * @param maxConcurrent  fetches under way at once on this gateway
     * @param retryAfter     what a client refused because all fetch slots are taken is told to wait
     */
    public record ImageUrls(
            @DefaultValue("20s") @NotNull @DurationMin(seconds = 1) @DurationMax(minutes = 5)
            Duration timeout,

            @DefaultValue("16") @Min(1) int maxConcurrent,

            @DefaultValue("5s") @NotNull @DurationMin(seconds = 1)
            Duration retryAfter) {}

    /**
     * @param maxQueuedJobs    refuse new jobs (429) while more than this many wait in the jobs topic
     * @param refreshInterval  how often the backlog is read from the broker
     * @param retryAfter       what a refused client is told to wait
     */
    public record Backpressure(
            @DefaultValue("1000") @Min(0) long maxQueuedJobs,

            @DefaultValue("2s") @NotNull @DurationMin(millis = 10)
            Duration refreshInterval,

            @DefaultValue("10s") @NotNull Duration retryAfter) {}

    /**
     * Requests waiting for their job ({@code Prefer: wait} on submission or {@code GET}, legacy
     * {@code POST /}, event streams) hold no thread, but each holds a connection and a little
     * memory; these caps bound them. Over a cap, {@code Prefer: wait} is not applied (202 at once)
     * and the legacy {@code POST /} is refused (429) before its job is created.
     *
     * @param maxTotal            waiting requests on this gateway, all clients together
     * @param maxPerClient        waiting requests of one API key (of one client address when keys are off)
     * @param storeCheckInterval  how often the job store is read for jobs still waited for, in case their
     *                            result event was published before this gateway's listener joined
     * @param retryAfter          what a legacy client refused over a cap is told to wait
     * @param eventInterval       how often the jobs followed by event streams are read for changes
     * @param maxEventStream      how long one event stream stays open (the client then reconnects)
     */
    public record Waiters(
            @DefaultValue("2000") @Min(0) int maxTotal,
            @DefaultValue("200") @Min(0) int maxPerClient,

            @DefaultValue("2s") @NotNull @DurationMin(millis = 100)
            Duration storeCheckInterval,

            @DefaultValue("5s") @NotNull @DurationMin(seconds = 1)
            Duration retryAfter,

            @DefaultValue("1s") @NotNull @DurationMin(millis = 100)
            Duration eventInterval,

            @DefaultValue("10m") @NotNull @DurationMin(seconds = 1)
            Duration maxEventStream) {}

    /**
     * Each body is bounded by its route's limit (from {@code n2n.images.max-bytes}) before it is read;
     * this bounds them together: a body reserves its {@code Content-Length} (a chunked one, its route's
     * limit) from {@code inFlightBudget} until its request is handled, and one that does not fit is
     * refused with 503 and {@code Retry-After: retryAfter}. Heap use is a small multiple of it (a JSON
     * body's base64 is held as text, then decoded).
     *
     * @param inFlightBudget  the request body bytes held at once, over all requests
     * @param retryAfter      what a client refused for the budget is told to wait
     */
    public record Bodies(
            @DefaultValue("512MB") @NotNull DataSize inFlightBudget,

            @DefaultValue("2s") @NotNull @DurationMin(seconds = 1)
            Duration retryAfter) {}

    /**
     * Bounds per caller (an API key; with keys off, all anonymous callers together), kept in the
     * bucket so every gateway sees the same counts. Over a bound the request is refused with 429
     * and {@code Retry-After}. Concurrent requests of one caller may pass a bound together by their number.
     *
     * @param maxOpenUploads       upload slots ({@code POST /v1/uploads}) neither submitted nor expired
     * @param maxUnfinishedJobs    jobs created and not yet finished (succeeded, failed, canceled, expired)
     * @param retryAfter           what a refused caller is told to wait
     * @param uploadSweepInterval  how often expired upload slots, and their unsubmitted uploads, are deleted
     * @param recountInterval      how long a caller's count of unfinished jobs is used before it is listed
     *                             again, while it is under half its bound (each replica counts what it
     *                             accepted meanwhile; the others' are seen at the next listing)
     */
    public record Quotas(
            @DefaultValue("100") @Min(1) int maxOpenUploads,
            @DefaultValue("200") @Min(1) int maxUnfinishedJobs,

            @DefaultValue("30s") @NotNull @DurationMin(seconds = 1)
            Duration retryAfter,

            @DefaultValue("1m") @NotNull @DurationMin(seconds = 1)
            Duration uploadSweepInterval,

            @DefaultValue("1s") @NotNull Duration recountInterval) {}

    /**
     * A client's bearer key. With none configured the API is open; with any, every request but
     * health and the API document needs one, and a key sees only its own jobs.
     *
     * @param id                 names the client in job records and metrics; never the secret
     * @param sha256             hex SHA-256 of the key, so the configuration holds no usable secret
     * @param requestsPerMinute  the client's rate limit
     * @param webhookSecrets     this client's Standard Webhooks secrets ({@code whsec_<base64>}): its jobs'
     *                           deliveries are signed with each (list two while rotating), and only this
     *                           key can read them ({@code GET /v1/webhook-secrets}); none: unsigned
     */
    public record ApiKey(
            @NotBlank String id,
            @NotBlank String sha256,
            @Min(1) int requestsPerMinute,
            @DefaultValue @NotNull List<@NotBlank String> webhookSecrets) {}

    /**
     * @param timeout               the longest one delivery takes in all (connect, request, response headers; the
     *                              response body is never read), and the longest it waits for a free slot
     * @param attempts              deliveries tried per event (the first plus retries) before giving up
     * @param firstRetryDelayMs     delay before the first retry; doubles (with jitter) for each further one
     * @param maxRetryAfter         the longest {@code Retry-After} of a receiver honoured (0s: none; longer asks are cut
     *                              to it); the retry topic's partition waits that long, holding up the
     *                              deliveries queued behind it, so keep it to minutes
     * @param allowPrivateNetworks  deliver to loopback, private, link-local and metadata addresses too
     *                              (off in production: it would let clients probe the internal network)
     * @param secrets               Standard Webhooks signing secrets ({@code whsec_<base64>}) used while no
     *                              API keys are configured (each key has its own); every delivery is signed
     *                              with each, so a receiver can rotate without gaps
     * @param maxConcurrent         deliveries under way at once in this gateway
     * @param maxPerReceiver        deliveries under way at once to one receiver (host and port); more wait
     * @param maxUrlLength          the longest webhook URL accepted on submission (it travels in every event
     *                              of the job, which must stay under Kafka's record size)
     * @param extraPorts            ports webhooks may use besides 80 and 443 (any, with private networks allowed)
     */
    public record Webhooks(
            @DefaultValue("10s") @NotNull @DurationMin(millis = 100)
            Duration timeout,

            @DefaultValue("6") @Min(1) int attempts,
            @DefaultValue("1000") @Min(10) long firstRetryDelayMs,

            @DefaultValue("5m") @NotNull @DurationMin(seconds = 0) @DurationMax(hours = 1)
            Duration maxRetryAfter,

            boolean allowPrivateNetworks,
            @DefaultValue @NotNull List<String> secrets,
            @DefaultValue("32") @Min(1) @Max(1024) int maxConcurrent,
            @DefaultValue("4") @Min(1) int maxPerReceiver,
            @DefaultValue("2048") @Min(16) @Max(65_536) int maxUrlLength,
            @DefaultValue @NotNull List<@Min(1) @Max(65_535) Integer> extraPorts) {

        @AssertTrue(message = "max-per-receiver must not exceed max-concurrent")
        public boolean isPerReceiverWithinTotal() {
            return maxPerReceiver <= maxConcurrent;
        }
    }
}
