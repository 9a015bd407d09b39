package io.noise2noise.job;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What a client may want to know of a model, as its {@code model.json} in the model zoo holds it
 * (read from that file, whose other fields are the worker's own business).
 *
 * @param architecture    the network ({@code unet}, {@code halfunet})
 * @param channels        3 (colour) or 1 (grey: colour images are denoised plane by plane)
 * @param noise           the noise it was trained to remove, as {@code kind,min,max}
 * @param targetNoise     the training targets' noise ({@code clean} for Noise2Clean)
 * @param training        {@code n2n} (noisy targets) or {@code n2c} (clean targets)
 * @param trainingPixels  the training budget: pixels seen
 * @param trainingSteps   the training budget: optimiser steps
 * @param parameters      weights in the network
 * @param interim         a model still being trained, published before its final budget
 * @param validation      the measured quality
 * @param notes           how it was made, for people
 * @param candidates      for {@code auto}, the worker's choice: the models it chooses among (null for a model)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CatalogueCard(
        String architecture,
        int channels,
        String noise,
        String targetNoise,
        String training,
        Long trainingPixels,
        Long trainingSteps,
        Long parameters,
        boolean interim,
        Validation validation,
        String notes,
        List<String> candidates) {

    /**
     * PSNR (dB) on a held-out set, of the noisy input and of the model's output.
     *
     * @param set  the images and noise measured on
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Validation(String set, double psnrNoisy, double psnrModel) {}
}
