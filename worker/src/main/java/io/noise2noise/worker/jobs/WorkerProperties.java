package io.noise2noise.worker.jobs;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a worker retries a job whose failure can heal ({@link HealableFailures}: storage, broker, time-outs):
 * exponential back-off from {@code retryInitialInterval}, capped at {@code retryMaxInterval},
 * until {@code retryMaxElapsed}; then the job fails and its message goes to the dead-letter topic.
 * Between tiles, at most every {@code checkpointInterval}, a running job checks whether it was
 * canceled or passed its deadline, and records its progress. On shutdown a worker waits up to
 * {@code shutdownTimeout} for the job in hand (keep it below the platform's termination grace period).
 * A worker runs {@code consumers} jobs at once, each on its own consumer of the jobs topic (they share
 * the engine's threads; more than one pays only where a job leaves cores idle, e.g. small images).
 */
@Validated
@ConfigurationProperties("n2n.worker")
public record WorkerProperties(
        @DefaultValue("1s") @NotNull Duration retryInitialInterval,
        @DefaultValue("15s") @NotNull Duration retryMaxInterval,
        @DefaultValue("2m") @NotNull Duration retryMaxElapsed,
        @DefaultValue("1s") @NotNull Duration checkpointInterval,
        @DefaultValue("240s") @NotNull Duration shutdownTimeout,
        @DefaultValue("1") @Min(1) int consumers) {}
