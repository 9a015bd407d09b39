package io.noise2noise.worker.inference;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How the worker runs its models.
 *
 * @param modelsDir      folder with one sub-folder per model: {@code model.json} and {@code saved_model/}
 * @param defaultModel   model used when a job names none
 * @param predictors     predictors per model; DJL predictors are not thread-safe, so this bounds
 *                       how many jobs can run one model at once
 * @param engineThreads  TensorFlow intra-op threads per predictor (0: one per core)
 * @param tileSize       largest tile side fed to a model; bigger images are tiled, bounding memory
 * @param tileOverlap    pixels shared by neighbouring tiles, blended to avoid seams
 */
@Validated
@ConfigurationProperties("n2n.inference")
public record InferenceProperties(
        @NotNull Path modelsDir,
        @NotBlank String defaultModel,
        @Min(1) int predictors,
        @Min(0) int engineThreads,
        @Min(64) int tileSize,
        @Min(0) int tileOverlap) {

    public InferenceProperties {
        if (tileOverlap >= tileSize / 2) {
            throw new IllegalArgumentException("n2n.inference.tile-overlap must be below half the tile size");
        }
    }
}
