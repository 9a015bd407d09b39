package io.noise2noise.worker.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.job.CatalogueCard;
import io.noise2noise.job.CatalogueCards;
import io.noise2noise.job.CatalogueEntry;
import io.noise2noise.job.CatalogueKeys;
import io.noise2noise.storage.InMemoryObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

class CataloguePublisherTest {

    private static final ObjectMapper MAPPER =
            Jackson2ObjectMapperBuilder.json().build();
    private static final CatalogueCard GAUSSIAN = CatalogueCards.HALFUNET_GAUSSIAN;
    private static final CatalogueCard GREY = new CatalogueCard(
            "unet",
            1,
            "gaussian,0,50",
            "gaussian,0,50",
            "n2n",
            5_818_548_224L,
            5549L,
            988_609L,
            false,
            new CatalogueCard.Validation("Set14", 20.314, 27.279),
            null,
            null);

    private static final CatalogueEntry.Speed GAUSSIAN_SPEED = new CatalogueEntry.Speed(2_000_000, 4.0);

    private final InMemoryObjectStore objects = new InMemoryObjectStore();

    @Test
    void aWorkerPublishesEachOfItsModelsAndMarksThemStoppedOnStop() {
        CataloguePublisher publisher = publisher("worker-a", Duration.ofSeconds(30));
        Instant started = Instant.now();

        publisher.start();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> objects.list(CatalogueKeys.PREFIX).size() == 2);

        assertThat(objects.list(CatalogueKeys.PREFIX))
                .containsExactlyInAnyOrder("catalogue/gaussian/worker-a.json", "catalogue/grey-gaussian/worker-a.json");
        CatalogueEntry gaussian = entry("catalogue/gaussian/worker-a.json");
        assertThat(gaussian.model()).isEqualTo("gaussian");
        assertThat(gaussian.workerId()).isEqualTo("worker-a");
        assertThat(gaussian.isDefault()).isTrue();
        assertThat(gaussian.heartbeat()).isEqualTo(Duration.ofSeconds(30));
        assertThat(gaussian.card()).isEqualTo(GAUSSIAN);
        assertThat(gaussian.seenAt()).isBetween(started, Instant.now());
        assertThat(gaussian.isFreshAt(Instant.now())).isTrue();
        assertThat(entry("catalogue/grey-gaussian/worker-a.json").isDefault()).isFalse();
        assertThat(gaussian.stoppedAt()).isNull();
        assertThat(gaussian.speed()).isEqualTo(GAUSSIAN_SPEED);
        assertThat(entry("catalogue/grey-gaussian/worker-a.json").speed())
                .as("nothing denoised yet")
                .isNull();
        assertThat(publisher.isRunning()).isTrue();

        publisher.stop();

        assertThat(publisher.isRunning()).isFalse();
        assertThat(objects.list(CatalogueKeys.PREFIX)).hasSize(2);
        for (String key : objects.list(CatalogueKeys.PREFIX)) {
            CatalogueEntry stopped = entry(key);
            assertThat(stopped.stoppedAt()).isNotNull().isAfterOrEqualTo(gaussian.seenAt());
            assertThat(stopped.isFreshAt(Instant.now())).isFalse();
        }
        assertThat(entry("catalogue/gaussian/worker-a.json").card()).isEqualTo(GAUSSIAN);
    }

    @Test
    void entriesAreRewrittenEveryHeartbeatAndStopOnlyMarksTheWorkersOwn() {
        CataloguePublisher other = publisher("worker-b", Duration.ofSeconds(30));
        other.start();
        CataloguePublisher publisher = publisher("worker-a", Duration.ofSeconds(1));
        publisher.start();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> objects.list(CatalogueKeys.PREFIX).size() == 4);
        Instant first = entry("catalogue/gaussian/worker-a.json").seenAt();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> entry("catalogue/gaussian/worker-a.json").seenAt().isAfter(first));
        publisher.stop();

        assertThat(entry("catalogue/gaussian/worker-a.json").stoppedAt()).isNotNull();
        assertThat(entry("catalogue/gaussian/worker-b.json").stoppedAt()).isNull();
        assertThat(entry("catalogue/grey-gaussian/worker-b.json").isFreshAt(Instant.now()))
                .isTrue();
        other.stop();
    }

    private CataloguePublisher publisher(String workerId, Duration heartbeat) {
        return new CataloguePublisher(
                Map.of("gaussian", GAUSSIAN, "grey-gaussian", GREY),
                "gaussian",
                model -> model.equals("gaussian") ? Optional.of(GAUSSIAN_SPEED) : Optional.empty(),
                objects,
                MAPPER,
                workerId,
                heartbeat,
                Clock.systemUTC());
    }

    private CatalogueEntry entry(String key) {
        try {
            return MAPPER.readValue(objects.get(key).orElseThrow().data(), CatalogueEntry.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
