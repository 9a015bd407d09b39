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
}
