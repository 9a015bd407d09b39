package io.noise2noise.gateway.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.job.CatalogueCard;
import io.noise2noise.job.CatalogueEntry;
import io.noise2noise.job.CatalogueKeys;
import io.noise2noise.storage.ObjectStore;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The models the workers run, as their catalogue entries in the bucket tell ({@link CatalogueKeys}),
 * read in the background every refresh interval, so neither a submission nor {@code GET /v1/models}
 * waits for S3. A model is <em>known</em> while any entry of it exists, and <em>available</em> while
 * one is fresh ({@link CatalogueEntry#isFreshAt}). Known models are accepted even with no worker up
 * (workers scale to zero; the job waits in the queue); others are refused. A failed read keeps the last view.
 * Entries unseen for {@code forgetAfter} (their workers stopped or died) are deleted, except each
 * model's newest, which keeps the model known.
 */
@Component
public class ModelCatalogue {

    private static final Logger log = LoggerFactory.getLogger(ModelCatalogue.class);

    private final ObjectStore objects;
    private final ObjectMapper mapper;
    private final GatewayProperties.Catalogue settings;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "model-catalogue-read");
        thread.setDaemon(true);
        return thread;
    });
    /** Every entry of the last read, by model name. */
    private volatile Map<String, List<CatalogueEntry>> entries = Map.of();

    public ModelCatalogue(ObjectStore objects, ObjectMapper mapper, GatewayProperties properties) {
        this.objects = objects;
        this.mapper = mapper;
        this.settings = properties.catalogue();
        long interval = settings.refreshInterval().toMillis();
        reader.scheduleWithFixedDelay(this::refreshQuietly, 0, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * A model as {@code GET /v1/models} shows it: what it is, whether a worker runs it now, and how fast
     * it ran (null before any worker denoised an image with it).
     */
    public record Model(
            String name,
            @JsonProperty("default") boolean isDefault,
            boolean available,
            int workers,
            Instant lastSeen,
            CatalogueCard card,
            Speed speed) {}

    /**
     * How fast the workers denoised with a model: the images' megapixels over the time the model took
     * for them, counted by the workers whose entries are in the catalogue (live or not).
     */
    public record Speed(double megapixelsPerSecond, double megapixels) {}

    /** Every known model, by name. */
    public List<Model> models() {
        Instant now = clock.instant();
        return entries.entrySet().stream()
                .map(e -> model(e.getKey(), e.getValue(), now))
                .toList();
    }

    public Optional<Model> model(String name) {
        List<CatalogueEntry> ofModel = entries.get(name);
        return ofModel == null ? Optional.empty() : Optional.of(model(name, ofModel, clock.instant()));
    }

    /**
     * Refuses a job naming a model no worker ever published ({@code null}: the workers' default, always
     * accepted). The refusal names the known models, and which of them a worker runs now.
     */
    public void checkKnown(String name) {
        if (name != null && !entries.containsKey(name)) {
            throw new RequestRefusedException(Reason.UNKNOWN_MODEL, unknown(name));
        }
    }

    /** Why {@code name} is no model, naming those there are. */
    public String unknown(String name) {
        List<Model> models = models();
        if (models.isEmpty()) {
            return "unknown model '" + name + "': no worker has published its models yet (a job that names no"
                    + " model gets the workers' default)";
        }
        String available =
                models.stream().filter(Model::available).map(Model::name).collect(Collectors.joining(", "));
        return "unknown model '" + name + "'; known models: "
                + models.stream().map(Model::name).collect(Collectors.joining(", "))
                + "; available now: " + (available.isEmpty() ? "none (their jobs wait for a worker)" : available);
    }

    /**
     * Reads every entry now (the background read calls it every refresh interval). One read at a time,
     * so the view kept is always of the read that started last.
     */
    public synchronized void refresh() {
        Map<String, List<CatalogueEntry>> read = new TreeMap<>();
        for (String key : objects.list(CatalogueKeys.PREFIX)) {
            Optional<String> model = CatalogueKeys.modelOf(key);
            if (model.isEmpty()) {
                continue;
            }
            // gone since the listing: its worker stopped
            objects.get(key)
                    .flatMap(stored -> parse(key, stored.data()))
                    .ifPresent(entry -> read.computeIfAbsent(model.get(), m -> new ArrayList<>())
                            .add(entry));
        }
        Instant now = clock.instant();
        for (List<CatalogueEntry> ofModel : read.values()) {
            ofModel.sort(Comparator.comparing(CatalogueEntry::seenAt).reversed());
            forgetDead(ofModel, now);
        }
        entries = read;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("could not read the model catalogue (keeping the last read): {}", e.toString());
        }
    }

    /** The entry stored at {@code key}; empty, and logged, when it is not one a worker writes there. */
    private Optional<CatalogueEntry> parse(String key, byte[] data) {
        CatalogueEntry entry;
        try {
            entry = mapper.readValue(data, CatalogueEntry.class);
        } catch (IOException e) {
            log.warn("ignoring catalogue entry {}: {}", key, e.getMessage());
            return Optional.empty();
        }
        boolean complete = entry.seenAt() != null
                && entry.heartbeat() != null
                && entry.card() != null
                && CatalogueKeys.isWorkerId(entry.workerId())
                && CatalogueKeys.isModelName(entry.model());
        if (!complete || !CatalogueKeys.entry(entry.model(), entry.workerId()).equals(key)) {
            log.warn("ignoring catalogue entry {}: incomplete, or not of the model and worker its key names", key);
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    /**
     * Deletes the entries of {@code ofModel} (newest first) unseen for {@code forgetAfter}, but never a
     * model's newest; they leave {@code ofModel} too.
     */
    private void forgetDead(List<CatalogueEntry> ofModel, Instant now) {
        Instant deadBefore = now.minus(settings.forgetAfter());
        for (CatalogueEntry entry : List.copyOf(ofModel.subList(1, ofModel.size()))) {
            if (entry.seenAt().isBefore(deadBefore) && !entry.isFreshAt(now)) {
                objects.delete(CatalogueKeys.entry(entry.model(), entry.workerId()));
                ofModel.remove(entry);
                log.info(
                        "forgot catalogue entry of model {} by worker {}, last seen {}",
                        entry.model(),
                        entry.workerId(),
                        entry.seenAt());
            }
        }
    }

    /** The newest entry ({@code ofModel} is newest first) describes the model; the fresh ones count its workers. */
    private static Model model(String name, List<CatalogueEntry> ofModel, Instant now) {
        CatalogueEntry newest = ofModel.get(0);
        int workers =
                (int) ofModel.stream().filter(entry -> entry.isFreshAt(now)).count();
        return new Model(
                name, newest.isDefault(), workers > 0, workers, newest.seenAt(), newest.card(), speed(ofModel));
    }

    private static Speed speed(List<CatalogueEntry> ofModel) {
        long pixels = 0;
        double seconds = 0;
        for (CatalogueEntry entry : ofModel) {
            if (entry.speed() != null
                    && entry.speed().pixels() > 0
                    && entry.speed().seconds() > 0) {
                pixels += entry.speed().pixels();
                seconds += entry.speed().seconds();
            }
        }
        return pixels == 0 ? null : new Speed(pixels / 1e6 / seconds, pixels / 1e6);
    }

    @PreDestroy
    public void stop() {
        reader.shutdownNow();
    }
}
