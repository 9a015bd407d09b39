package io.noise2noise.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * One worker's word that it can run a model, stored at {@link CatalogueKeys#entry}: rewritten every
 * {@code heartbeat}, so a reader can tell a live worker from one that died; a worker that stops
 * gracefully rewrites it once more with {@code stoppedAt}. Entries outlive their workers (the
 * gateways delete old ones), so a model stays known while its workers are scaled to zero.
 *
 * @param model      the name jobs use
 * @param workerId   the worker that wrote it (unique per worker process)
 * @param isDefault  whether this is the worker's default model, run for jobs that name none
 * @param seenAt     when the worker last wrote it
 * @param heartbeat  how often the worker rewrites it
 * @param card       what the model is, as its card describes it
 * @param stoppedAt  when the worker stopped; null while it runs
 * @param speed      how fast the model denoised on this worker so far; null before its first image
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CatalogueEntry(
        String model,
        String workerId,
        @JsonProperty("default") boolean isDefault,
        Instant seenAt,
        Duration heartbeat,
        CatalogueCard card,
        Instant stoppedAt,
        Speed speed) {

    /** Heartbeats an entry may miss before its worker counts as gone (a slow write, a busy store). */
    public static final int MISSED_HEARTBEATS = 3;

    /**
     * Whether the worker that wrote it runs at {@code now}: it has not stopped, and wrote within
     * {@link #MISSED_HEARTBEATS} heartbeats.
     */
    public boolean isFreshAt(Instant now) {
        return stoppedAt == null
                && seenAt.plus(heartbeat.multipliedBy(MISSED_HEARTBEATS)).isAfter(now);
    }

    /**
     * Images a worker denoised with the model: their pixels, and the time the model took for them
     * (summed over jobs, so concurrent jobs each count their own time).
     */
    public record Speed(long pixels, double seconds) {}
}
