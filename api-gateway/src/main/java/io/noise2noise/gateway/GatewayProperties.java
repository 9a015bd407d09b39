package io.noise2noise.gateway;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * @param legacyWait        how long {@code POST /} waits for its job before answering with a timeout error
 * @param publishTimeout    how long a submission waits for Kafka to acknowledge the job
 * @param webhookTimeout    connect and response timeout of one webhook delivery
 * @param webhookAttempts   deliveries tried per event (the first plus retries) before giving up
 * @param webhookFirstRetryDelayMs delay before the first webhook retry; doubles for each further one
 */
@Validated
@ConfigurationProperties("n2n.gateway")
public record GatewayProperties(
        @NotNull Duration legacyWait,
        @NotNull Duration publishTimeout,
        @NotNull Duration webhookTimeout,
        @Min(1) int webhookAttempts,
        @Min(10) long webhookFirstRetryDelayMs) {
}
