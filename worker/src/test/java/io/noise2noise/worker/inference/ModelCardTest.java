package io.noise2noise.worker.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
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
}
