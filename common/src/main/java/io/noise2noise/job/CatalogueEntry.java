package io.noise2noise.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * One worker's word that it can run a model, stored at {@link CatalogueKeys#entry}: rewritten every
 * {@code heartbeat}, so a reader can tell a live worker from one that stopped without removing it.
 *
 * @param model      the name jobs use
 * @param workerId   the worker that wrote it (unique per worker process)
 * @param isDefault  whether this is the worker's default model, run for jobs that name none
 * @param seenAt     when the worker last wrote it
 * @param heartbeat  how often the worker rewrites it
 * @param card       what the model is, as its card describes it
 */
public record CatalogueEntry(
        String model,
        String workerId,
        @JsonProperty("default") boolean isDefault,
        Instant seenAt,
        Duration heartbeat,
        CatalogueCard card) {

    /** Heartbeats an entry may miss before its worker counts as gone (a slow write, a busy store). */
    public static final int MISSED_HEARTBEATS = 3;

    /** Whether the worker that wrote it still runs at {@code now}: it wrote within {@link #MISSED_HEARTBEATS} heartbeats. */
    public boolean isFreshAt(Instant now) {
        return seenAt.plus(heartbeat.multipliedBy(MISSED_HEARTBEATS)).isAfter(now);
    }
}
