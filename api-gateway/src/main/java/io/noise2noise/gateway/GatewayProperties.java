package io.noise2noise.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param legacyWait      how long {@code POST /} waits for its job before answering with a timeout error
 * @param maxWait         the longest {@code Prefer: wait=N} honoured on submission
 * @param publishTimeout  how long a submission waits for Kafka to acknowledge the job
 * @param maxCancelAfter  the longest deadline a client may set with {@code Cancel-After}
 */
@Validated
@ConfigurationProperties("n2n.gateway")
public record GatewayProperties(
        @NotNull Duration legacyWait,
        @NotNull Duration maxWait,
        @NotNull Duration publishTimeout,
        @NotNull Duration maxCancelAfter,
        @Valid @NotNull Webhooks webhooks) {

    /**
     * @param timeout               connect and response timeout of one delivery
     * @param attempts              deliveries tried per event (the first plus retries) before giving up
     * @param firstRetryDelayMs     delay before the first retry; doubles (with jitter) for each further one
     * @param allowPrivateNetworks  deliver to loopback, private, link-local and metadata addresses too
     *                              (off in production: it would let clients probe the internal network)
     * @param secrets               Standard Webhooks signing secrets ({@code whsec_<base64>}); every
     *                              delivery is signed with each, so a receiver can rotate without gaps
     */
    public record Webhooks(
            @NotNull Duration timeout,
            @Min(1) int attempts,
            @Min(10) long firstRetryDelayMs,
            boolean allowPrivateNetworks,
            List<String> secrets) {

        public Webhooks {
            secrets = secrets == null ? List.of() : List.copyOf(secrets);
        }
    }
}
