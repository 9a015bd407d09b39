package io.noise2noise.worker.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The part of a model's {@code model.json} the worker needs; the rest is documentation for people.
 * {@code tileOverlap}: pixels of context a tile needs on each shared side (0 when the card predates it).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(
        String name,
        String architecture,
        int channels,
        @JsonProperty("size_multiple") int sizeMultiple,
        String noise,
        String training,
        boolean interim,
        @JsonProperty("tile_overlap") int tileOverlap) {

    /** Largest context a card may ask for: tiles are at least four overlaps, and they bound memory. */
    static final int MAX_TILE_OVERLAP = 512;

    public ModelCard {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("model card " + name + ": channels must be 1 or 3, was " + channels);
        }
        if (sizeMultiple < 1) {
            throw new IllegalArgumentException(
                    "model card " + name + ": size_multiple must be at least 1, was " + sizeMultiple);
        }
        if (tileOverlap < 0 || tileOverlap > MAX_TILE_OVERLAP) {
            throw new IllegalArgumentException(
                    "model card " + name + ": tile_overlap must be 0.." + MAX_TILE_OVERLAP + ", was " + tileOverlap);
        }
    }
}
