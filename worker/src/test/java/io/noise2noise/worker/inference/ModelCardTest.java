package io.noise2noise.worker.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.noise2noise.job.CatalogueCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ModelCardTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ModelCard read(String extra) throws Exception {
        return MAPPER.readValue(
                "{\"name\": \"m\", \"architecture\": \"unet\", \"channels\": 3, \"size_multiple\": 32" + extra + "}",
                ModelCard.class);
    }

    @Test
    void aCardWithoutTileOverlapAsksForNoExtraContext() throws Exception {
        assertThat(read("").tileOverlap()).isZero();
        assertThat(read(", \"tile_overlap\": 192, \"notes\": \"ignored\"").tileOverlap())
                .isEqualTo(192);
    }

    @Test
    void anUnreasonableCardIsRefusedWithTheFieldItGotWrong() {
        assertThatThrownBy(() -> read(", \"tile_overlap\": 4096"))
                .isInstanceOf(ValueInstantiationException.class)
                .hasRootCauseMessage("model card m: tile_overlap must be 0..512, was 4096");
        assertThatThrownBy(() -> read(", \"tile_overlap\": -1"))
                .hasRootCauseMessage("model card m: tile_overlap must be 0..512, was -1");
    }

    @Test
    void everyZooCardTellsClientsWhatTheModelIsAndHowGoodItMeasured() throws IOException {
        Path zoo = Path.of(System.getProperty("n2n.repo-root", ".."), "models", "zoo");
        List<Path> cards;
        try (Stream<Path> dirs = Files.list(zoo)) {
            cards = dirs.map(dir -> dir.resolve("model.json"))
                    .filter(Files::isRegularFile)
                    .toList();
        }

        assertThat(cards).hasSizeGreaterThan(1);
        for (Path file : cards) {
            CatalogueCard card = MAPPER.readValue(file.toFile(), CatalogueCard.class);
            assertThat(card.architecture()).as(file.toString()).isNotBlank();
            assertThat(card.noise()).as(file.toString()).isNotBlank();
            assertThat(card.channels()).as(file.toString()).isIn(1, 3);
            assertThat(card.trainingPixels()).as(file.toString()).isPositive();
            assertThat(card.trainingSteps()).as(file.toString()).isPositive();
            assertThat(card.validation().psnrModel())
                    .as(file.toString())
                    .isGreaterThan(card.validation().psnrNoisy());
        }
    }
}
