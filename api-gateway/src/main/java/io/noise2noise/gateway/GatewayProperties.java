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
import org.springframework.validation.annotation.Validated;

/**
 * @param legacyWait      how long {@code POST /} waits for its job before answering with a timeout error
 * @param maxWait         the longest {@code Prefer: wait=N} honoured on submission
 * @param publishTimeout  how long a submission waits for Kafka to acknowledge the job
 * @param maxCancelAfter  the longest deadline a client may set with {@code Cancel-After}
 * @param presignedUrlTtl how long presigned upload and download URLs stay valid
 */
@Validated
@ConfigurationProperties("n2n.gateway")
public record GatewayProperties(
        @NotNull Duration legacyWait,
        @NotNull Duration maxWait,
        @NotNull Duration publishTimeout,
        @NotNull Duration maxCancelAfter,
        @NotNull Duration presignedUrlTtl,
        @Valid @NotNull Webhooks webhooks,
        @Valid @NotNull Backpressure backpressure,
        @Valid List<ApiKey> apiKeys) {

    public GatewayProperties {
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    }

    /**
     * @param maxQueuedJobs    refuse new jobs (429) while more than this many wait in the jobs topic
     * @param refreshInterval  how often the backlog is read from the broker
     * @param retryAfter       what a refused client is told to wait
     * @param workerGroup      the workers' consumer group, whose lag is the backlog
     */
    public record Backpressure(
            @Min(0) long maxQueuedJobs,
            @NotNull Duration refreshInterval,
            @NotNull Duration retryAfter,
            @NotBlank String workerGroup) {
    }

    /**
     * A client's bearer key. With none configured the API is open; with any, every request but
     * health and the API document needs one, and a key sees only its own jobs.
     *
     * @param id                 names the client in job records and metrics; never the secret
     * @param sha256             hex SHA-256 of the key, so the configuration holds no usable secret
     * @param requestsPerMinute  the client's rate limit
     */
    public record ApiKey(@NotBlank String id, @NotBlank String sha256, @Min(1) int requestsPerMinute) {
    }

    /**
     * @param timeout               the longest one delivery takes in all (connect, request, response headers; the
     *                              response body is never read), and the longest it waits for a free slot
     * @param attempts              deliveries tried per event (the first plus retries) before giving up
     * @param firstRetryDelayMs     delay before the first retry; doubles (with jitter) for each further one
     * @param maxRetryAfter         the longest {@code Retry-After} of a receiver honoured (longer asks are cut
     *                              to it); the retry topic's partition waits that long, holding up the
     *                              deliveries queued behind it, so keep it to minutes
     * @param allowPrivateNetworks  deliver to loopback, private, link-local and metadata addresses too
     *                              (off in production: it would let clients probe the internal network)
     * @param secrets               Standard Webhooks signing secrets ({@code whsec_<base64>}); every
     *                              delivery is signed with each, so a receiver can rotate without gaps
     * @param maxConcurrent         deliveries under way at once in this gateway
     * @param maxPerReceiver        deliveries under way at once to one receiver (host and port); more wait
     * @param maxUrlLength          the longest webhook URL accepted on submission (it travels in every event
     *                              of the job, which must stay under Kafka's record size)
     * @param extraPorts            ports webhooks may use besides 80 and 443 (any, with private networks allowed)
     */
    public record Webhooks(
            @NotNull @DurationMin(millis = 100) Duration timeout,
            @Min(1) int attempts,
            @Min(10) long firstRetryDelayMs,
            @NotNull @DurationMin(seconds = 0) @DurationMax(hours = 1) Duration maxRetryAfter,
            boolean allowPrivateNetworks,
            List<String> secrets,
            @Min(1) @Max(1024) int maxConcurrent,
            @Min(1) int maxPerReceiver,
            @Min(16) @Max(65_536) int maxUrlLength,
            List<@Min(1) @Max(65_535) Integer> extraPorts) {

        public Webhooks {
            secrets = secrets == null ? List.of() : List.copyOf(secrets);
            extraPorts = extraPorts == null ? List.of() : List.copyOf(extraPorts);
        }

        @AssertTrue(message = "max-per-receiver must not exceed max-concurrent")
        public boolean isPerReceiverWithinTotal() {
            return maxPerReceiver <= maxConcurrent;
        }
    }
}
