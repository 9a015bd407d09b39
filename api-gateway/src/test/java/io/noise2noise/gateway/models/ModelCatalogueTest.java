package io.noise2noise.gateway.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.jobs.GatewayServices;
import io.noise2noise.job.CatalogueCard;
import io.noise2noise.job.CatalogueCards;
import io.noise2noise.job.CatalogueEntry;
import io.noise2noise.job.CatalogueKeys;
import io.noise2noise.storage.StorageUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the gateway makes of the workers' catalogue entries, over the in-memory bucket. */
class ModelCatalogueTest {

    private static final Duration HEARTBEAT = Duration.ofSeconds(30);
    private static final CatalogueCard HALFUNET = CatalogueCards.HALFUNET_GAUSSIAN;
    private static final CatalogueCard UNET = new CatalogueCard(
            "unet",
            3,
            "impulse,0,0.95",
            "impulse,0,0.95",
            "n2n",
            5_000_000_000L,
            5000L,
            991_203L,
            false,
            new CatalogueCard.Validation("Set14", 12.1, 30.2),
            "notes",
            null);

    private final GatewayServices gateway = GatewayServices.withSettings(Map.of());
    private final ModelCatalogue catalogue = gateway.catalogue;

    @AfterEach
    void close() {
        gateway.close();
    }

    @Test
    void aModelIsAvailableWhileAWorkerWroteItsEntryWithinThreeHeartbeats() {
        Instant now = Instant.now();
        publish(entry("gaussian", "worker-a", true, now.minusSeconds(5), HALFUNET));
        publish(entry(
                "gaussian",
                "worker-b",
                true,
                now.minus(HEARTBEAT.multipliedBy(3)).plusSeconds(5),
                HALFUNET));
        publish(entry(
                "gaussian",
                "worker-c",
                true,
                now.minus(HEARTBEAT.multipliedBy(3)).minusSeconds(1),
                HALFUNET));
        publish(entry("impulse", "worker-a", false, now.minusSeconds(5), UNET));
        publish(stopped(entry("impulse", "worker-b", false, now.minusSeconds(2), UNET)));
        publish(entry("poisson", "worker-d", false, now.minusSeconds(600), UNET));

        catalogue.refresh();

        assertThat(catalogue.models())
                .extracting(ModelCatalogue.Model::name)
                .containsExactly("gaussian", "impulse", "poisson");
        ModelCatalogue.Model gaussian = catalogue.model("gaussian").orElseThrow();
        assertThat(gaussian.available()).isTrue();
        assertThat(gaussian.workers()).as("the third missed three heartbeats").isEqualTo(2);
        assertThat(gaussian.isDefault()).isTrue();
        assertThat(gaussian.lastSeen()).isEqualTo(now.minusSeconds(5));
        assertThat(gaussian.card()).isEqualTo(HALFUNET);
        ModelCatalogue.Model impulse = catalogue.model("impulse").orElseThrow();
        assertThat(impulse.workers()).as("one stopped").isEqualTo(1);
        assertThat(impulse.lastSeen()).as("the stopped worker's last word").isEqualTo(now.minusSeconds(2));
        assertThat(impulse.isDefault()).isFalse();
        ModelCatalogue.Model poisson = catalogue.model("poisson").orElseThrow();
        assertThat(poisson.available()).isFalse();
        assertThat(poisson.workers()).isZero();
        assertThat(catalogue.model("text")).isEmpty();
    }

    @Test
    void aModelsSpeedIsItsWorkersPixelsOverTheirTimeStoppedWorkersIncluded() {
        Instant now = Instant.now();
        publish(measured(entry("gaussian", "worker-a", true, now, HALFUNET), 2_000_000, 1.0));
        publish(measured(stopped(entry("gaussian", "worker-b", true, now.minusSeconds(60), HALFUNET)), 4_000_000, 3.0));
        publish(entry("gaussian", "worker-c", true, now, HALFUNET));
        publish(entry("impulse", "worker-a", false, now, UNET));

        catalogue.refresh();

        assertThat(catalogue.model("gaussian").orElseThrow().speed()).isEqualTo(new ModelCatalogue.Speed(1.5, 6.0));
        assertThat(catalogue.model("impulse").orElseThrow().speed())
                .as("nothing denoised yet")
                .isNull();
    }

    @Test
    void knownModelsAreAcceptedEvenWithNoWorkerAndOthersRefusedNamingThem() {
        assertThatThrownBy(() -> catalogue.checkKnown("gaussian"))
                .isInstanceOf(RequestRefusedException.class)
                .hasMessage("unknown model 'gaussian': no worker has published its models yet (a job that names no"
                        + " model gets the workers' default)");
        catalogue.checkKnown(null);

        publish(stopped(entry("gaussian", "worker-a", true, Instant.now(), HALFUNET)));
        publish(entry("impulse", "worker-a", false, Instant.now().minusSeconds(3600), UNET));
        catalogue.refresh();

        catalogue.checkKnown("gaussian");
        catalogue.checkKnown("impulse");
        catalogue.checkKnown(null);
        RequestRefusedException refused =
                catchThrowableOfType(RequestRefusedException.class, () -> catalogue.checkKnown("poisson"));
        assertThat(refused.reason()).isEqualTo(RequestRefusedException.Reason.UNKNOWN_MODEL);
        assertThat(refused.getMessage())
                .isEqualTo("unknown model 'poisson'; known models: gaussian, impulse;"
                        + " available now: none (their jobs wait for a worker)");
    }

    @Test
    void entriesUnseenForAnHourAreDeletedButEachModelKeepsItsNewest() {
        Instant now = Instant.now();
        publish(entry("gaussian", "worker-a", true, now.minusSeconds(5), HALFUNET));
        publish(entry("gaussian", "dead-1", true, now.minus(Duration.ofHours(2)), HALFUNET));
        publish(stopped(entry("gaussian", "stopped-1", true, now.minus(Duration.ofMinutes(61)), HALFUNET)));
        publish(stopped(entry("gaussian", "stopped-2", true, now.minus(Duration.ofMinutes(50)), HALFUNET)));
        publish(entry("impulse", "dead-1", false, now.minus(Duration.ofHours(3)), UNET));
        publish(entry("impulse", "dead-2", false, now.minus(Duration.ofHours(2)), UNET));

        catalogue.refresh();

        assertThat(gateway.objects.list(CatalogueKeys.PREFIX))
                .containsExactlyInAnyOrder(
                        "catalogue/gaussian/worker-a.json",
                        "catalogue/gaussian/stopped-2.json",
                        "catalogue/impulse/dead-2.json");
        assertThat(catalogue.model("impulse").orElseThrow().lastSeen()).isEqualTo(now.minus(Duration.ofHours(2)));
        assertThat(catalogue.model("gaussian").orElseThrow().workers()).isEqualTo(1);
    }

    @Test
    void entriesThatAreNotWhatTheirKeySaysAreIgnored() {
        publish(entry("gaussian", "worker-a", true, Instant.now(), HALFUNET));
        gateway.objects.put(
                CatalogueKeys.entry("impulse", "worker-a"),
                "{not json".getBytes(StandardCharsets.UTF_8),
                "application/json");
        put(CatalogueKeys.entry("poisson", "worker-a"), entry("text", "worker-a", false, Instant.now(), UNET));
        put(CatalogueKeys.entry("text", "worker-b"), entry("text", "worker-b", false, null, UNET));
        gateway.objects.put(CatalogueKeys.PREFIX + "README", new byte[0], "text/plain");

        catalogue.refresh();

        assertThat(catalogue.models()).extracting(ModelCatalogue.Model::name).containsExactly("gaussian");
    }

    @Test
    void aFailedReadKeepsTheLastView() {
        publish(entry("gaussian", "worker-a", true, Instant.now(), HALFUNET));
        catalogue.refresh();
        gateway.objects.setUnavailable(true);

        assertThatThrownBy(catalogue::refresh).isInstanceOf(StorageUnavailableException.class);

        assertThat(catalogue.models()).extracting(ModelCatalogue.Model::name).containsExactly("gaussian");
        catalogue.checkKnown("gaussian");
    }

    private static CatalogueEntry entry(
            String model, String worker, boolean isDefault, Instant seenAt, CatalogueCard card) {
        return new CatalogueEntry(model, worker, isDefault, seenAt, HEARTBEAT, card, null, null);
    }

    private static CatalogueEntry stopped(CatalogueEntry entry) {
        return new CatalogueEntry(
                entry.model(),
                entry.workerId(),
                entry.isDefault(),
                entry.seenAt(),
                entry.heartbeat(),
                entry.card(),
                entry.seenAt(),
                entry.speed());
    }

    private static CatalogueEntry measured(CatalogueEntry entry, long pixels, double seconds) {
        return new CatalogueEntry(
                entry.model(),
                entry.workerId(),
                entry.isDefault(),
                entry.seenAt(),
                entry.heartbeat(),
                entry.card(),
                entry.stoppedAt(),
                new CatalogueEntry.Speed(pixels, seconds));
    }

    private void publish(CatalogueEntry entry) {
        put(CatalogueKeys.entry(entry.model(), entry.workerId()), entry);
    }

    private void put(String key, CatalogueEntry entry) {
        try {
            gateway.objects.put(key, gateway.mapper.writeValueAsBytes(entry), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
