package io.noise2noise.worker.catalogue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.job.CatalogueCard;
import io.noise2noise.job.CatalogueEntry;
import io.noise2noise.job.CatalogueKeys;
import io.noise2noise.storage.ObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Tells the gateways which models this worker runs: once its models are loaded, and then every
 * heartbeat, it writes one {@link CatalogueEntry} per model to the bucket; on a graceful stop it
 * writes them once more as stopped, so gateways count it out at once. It does not remove them: when
 * the last worker stops (scaled to zero), its entries are what keeps the models known, so jobs naming
 * them still queue; the gateways delete old entries. A write that fails (storage away) is logged and
 * made again at the next heartbeat.
 */
public class CataloguePublisher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CataloguePublisher.class);

    private final Map<String, CatalogueCard> cards;
    private final String defaultModel;
    private final Function<String, Optional<CatalogueEntry.Speed>> speeds;
    private final ObjectStore objects;
    private final ObjectMapper mapper;
    private final String workerId;
    private final Duration heartbeat;
    private final Clock clock;
    private ScheduledExecutorService heartbeats;

    /** {@code speeds}: how fast each model (by name) denoised on this worker so far. */
    public CataloguePublisher(
            Map<String, CatalogueCard> cards,
            String defaultModel,
            Function<String, Optional<CatalogueEntry.Speed>> speeds,
            ObjectStore objects,
            ObjectMapper mapper,
            String workerId,
            Duration heartbeat,
            Clock clock) {
        cards.keySet().forEach(model -> CatalogueKeys.entry(model, workerId)); // refuses names that make no key
        this.cards = Map.copyOf(cards);
        this.defaultModel = defaultModel;
        this.speeds = speeds;
        this.objects = objects;
        this.mapper = mapper;
        this.workerId = workerId;
        this.heartbeat = heartbeat;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        heartbeats = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "catalogue-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        heartbeats.scheduleWithFixedDelay(() -> publish(null), 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the heartbeat, then marks the entries stopped, so no heartbeat overwrites the mark. */
    @Override
    public synchronized void stop() {
        heartbeats.shutdownNow();
        try {
            if (!heartbeats.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("catalogue heartbeat did not stop; it may overwrite the entries marked stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeats = null;
        publish(clock.instant());
    }

    @Override
    public synchronized boolean isRunning() {
        return heartbeats != null;
    }

    /** Started after the rest of the worker (its listener too), stopped before it: no entry promises a worker that is stopping. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    /** Writes every entry, as stopped at {@code stoppedAt} unless that is null. */
    private void publish(Instant stoppedAt) {
        for (Map.Entry<String, CatalogueCard> card : cards.entrySet()) {
            String model = card.getKey();
            CatalogueEntry entry = new CatalogueEntry(
                    model,
                    workerId,
                    model.equals(defaultModel),
                    clock.instant(),
                    heartbeat,
                    card.getValue(),
                    stoppedAt,
                    speeds.apply(model).orElse(null));
            try {
                objects.put(CatalogueKeys.entry(model, workerId), mapper.writeValueAsBytes(entry), "application/json");
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("catalogue entry of model " + model + " cannot be written as JSON", e);
            } catch (RuntimeException e) {
                log.warn("could not write the catalogue entry of model {}: {}", model, e.toString());
            }
        }
    }
}
