package io.noise2noise.worker.inference;

import java.util.Locale;

/**
 * The DJL engines a model can run on. TensorFlow loads the zoo's {@code saved_model/}; ONNX Runtime
 * loads {@code model.onnx}, exported from that SavedModel by {@code n2n-models export-onnx}.
 */
public enum InferenceEngine {
    TENSORFLOW("TensorFlow"),
    ONNXRUNTIME("OnnxRuntime");

    private final String djlName;

    InferenceEngine(String djlName) {
        this.djlName = djlName;
    }

    /** The engine's name in DJL ({@code Criteria.optEngine}). */
    public String djlName() {
        return djlName;
    }

    /** The name used in configuration: {@code tensorflow} or {@code onnxruntime}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
