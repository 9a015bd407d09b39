package io.noise2noise.worker.inference;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the worker runs its models.
 *
 * @param modelsDir      folder with one sub-folder per model: {@code model.json}, {@code saved_model/}
 *                       and, for ONNX Runtime, {@code model.onnx}
 * @param defaultModel   model used when a job names none: {@code auto} (the worker chooses per image,
 *                       {@link ModelChooser}) or a model's name
 * @param predictors     predictors per model; DJL predictors are not thread-safe, so this bounds
 *                       how many jobs can run one model at once
 * @param engineThreads  intra-op threads per model (TensorFlow ConfigProto, ONNX Runtime session
 *                       options; 0: the engine's default, one per core)
 * @param tileSize       largest tile side fed to a model; bigger images are tiled, bounding memory
 * @param tileOverlap    pixels shared by neighbouring tiles, blended to avoid seams
 * @param engine         engine for every model ({@code tensorflow} or {@code onnxruntime}); a model
 *                       without a current {@code model.onnx} falls back to TensorFlow
 * @param modelEngines   per-model engine overriding {@code engine}, by model name
 * @param tileBatch      equally sized tiles per model call (NHWC batch)
 */
@Validated
@ConfigurationProperties("n2n.inference")
public record InferenceProperties(
        @DefaultValue("models/zoo") @NotNull Path modelsDir,
        @DefaultValue(ModelChooser.AUTO) @NotBlank String defaultModel,
        @DefaultValue("1") @Min(1) int predictors,
        @DefaultValue("0") @Min(0) int engineThreads,
        @DefaultValue("1024") @Min(64) int tileSize,
        @DefaultValue("32") @Min(0) int tileOverlap,
        @DefaultValue("tensorflow") @NotNull InferenceEngine engine,
        @DefaultValue @NotNull Map<String, InferenceEngine> modelEngines,
        @DefaultValue("1") @Min(1) int tileBatch) {

    @AssertTrue(message = "n2n.inference.tile-overlap must be below half the tile size")
    public boolean isOverlapBelowHalfATile() {
        return tileOverlap < tileSize / 2;
    }

    /** The engine {@code model} should run on. */
    public InferenceEngine engineFor(String model) {
        return modelEngines.getOrDefault(model, engine);
    }
}
