package io.noise2noise.worker.jobs;

import io.noise2noise.job.CatalogueKeys;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a worker retries a job whose failure can heal ({@link HealableFailures}: storage, broker, time-outs):
 * exponential back-off from {@code retryInitialInterval}, capped at {@code retryMaxInterval},
 * until {@code retryMaxElapsed}; then the job fails and its message goes to the dead-letter topic.
 * Between tiles, at most every {@code checkpointInterval} (and after the last), a running job checks whether it was
 * canceled or passed its deadline, and records its progress. On shutdown a worker waits up to
 * {@code shutdownTimeout} for the job in hand (keep it below the platform's termination grace period).
 * A worker runs {@code consumers} jobs at once, each on its own consumer of the jobs topic (they share
 * the engine's threads; more than one pays only where a job leaves cores idle, e.g. small images).
 * {@code catalogue}: how the worker tells the gateways which models it runs.
 */
@Validated
@ConfigurationProperties("n2n.worker")
public record WorkerProperties(
        @DefaultValue("1s") @NotNull Duration retryInitialInterval,
        @DefaultValue("15s") @NotNull Duration retryMaxInterval,
        @DefaultValue("2m") @NotNull Duration retryMaxElapsed,
        @DefaultValue("1s") @NotNull Duration checkpointInterval,
        @DefaultValue("240s") @NotNull Duration shutdownTimeout,
        @DefaultValue("1") @Min(1) int consumers,
        @DefaultValue @Valid @NotNull Catalogue catalogue) {

    /**
     * @param heartbeat  how often the worker rewrites its catalogue entries; gateways count a model as
     *                   available while an entry of it is younger than three heartbeats
     * @param workerId   names this worker's entries; unset: the host name and a random suffix, unique
     *                   per process (a restarted worker publishes anew, workers on one host apart)
     */
    public record Catalogue(
            @DefaultValue("30s") @NotNull @DurationMin(seconds = 1)
            Duration heartbeat,

            String workerId) {

        @AssertTrue(message = "n2n.worker.catalogue.worker-id must be letters, digits, '.', '_' or '-' (at most 128)")
        public boolean isWorkerIdUsable() {
            return workerId == null || CatalogueKeys.isWorkerId(workerId);
        }
    }
}
