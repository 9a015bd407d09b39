package io.noise2noise.worker.inference;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.noise2noise.job.CatalogueEntry;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * One loaded model with a fixed pool of predictors (DJL predictors are not thread-safe). Runs
 * batches of equally sized RGB tiles (through a grey model one colour plane at a time); every call
 * gets its own NDManager, closed before returning, so native tensors never outlive the call.
 */
public class DenoisingModel implements AutoCloseable {

    private final ModelCard card;
    private final InferenceEngine engine;
    private final ZooModel<NDList, NDList> model;
    private final AutoCloseable resources;
    private final BlockingQueue<Predictor<NDList, NDList>> predictors;
    private final List<Predictor<NDList, NDList>> allPredictors = new ArrayList<>();
    private final LongAdder denoisedPixels = new LongAdder();
    private final LongAdder denoisingNanos = new LongAdder();

    DenoisingModel(
            ModelCard card,
            InferenceEngine engine,
            ZooModel<NDList, NDList> model,
            AutoCloseable resources,
            int predictorCount) {
        this.card = card;
        this.engine = engine;
        this.model = model;
        this.resources = resources;
        this.predictors = new ArrayBlockingQueue<>(predictorCount);
        for (int i = 0; i < predictorCount; i++) {
            Predictor<NDList, NDList> predictor = model.newPredictor();
            allPredictors.add(predictor);
            predictors.add(predictor);
        }
    }

    public ModelCard card() {
        return card;
    }

    /** Counts an image of {@code pixels} denoised in {@code nanos}, for {@link #speed}. */
    void recordDenoised(long pixels, long nanos) {
        denoisedPixels.add(pixels);
        denoisingNanos.add(nanos);
    }

    /** The images denoised with this model so far and the time they took; empty before the first. */
    public Optional<CatalogueEntry.Speed> speed() {
        long nanos = denoisingNanos.sum();
        long pixels = denoisedPixels.sum();
        return pixels == 0 || nanos == 0
                ? Optional.empty()
                : Optional.of(new CatalogueEntry.Speed(pixels, nanos / 1e9));
    }

    /** The engine this model was loaded with. */
    public InferenceEngine engine() {
        return engine;
    }

    /**
     * Denoises {@code count} tiles of {@code height}×{@code width} RGB pixels stored back to back
     * (NHWC, [0, 1]) at the start of {@code tiles} (which may be longer) and returns the model's
     * output in the same layout, unclipped.
     */
    public float[] run(float[] tiles, int count, int height, int width) {
        if (card.channels() == 1) {
            // A grey model denoises each colour plane as a grey image (grey inputs arrive as three equal planes).
            float[] planes = predict(toPlanes(tiles, count, height * width), count * 3, height, width, 1);
            return toInterleaved(planes, count, height * width);
        }
        return predict(tiles, count, height, width, 3);
    }

    private float[] predict(float[] tiles, int count, int height, int width, int channels) {
        Predictor<NDList, NDList> predictor = borrow();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDArray input = manager.create(
                    FloatBuffer.wrap(tiles, 0, count * height * width * channels),
                    new Shape(count, height, width, channels));
            input.setName("input");
            NDList output = predictor.predict(new NDList(input));
            return output.singletonOrThrow().toFloatArray();
        } catch (TranslateException e) {
            throw new IllegalStateException("model " + card.name() + " failed: " + e.getMessage(), e);
        } finally {
            predictors.add(predictor);
        }
    }

    /** NHWC RGB tiles to 3·count single-channel planes (tile t's colour c at index 3t + c). */
    static float[] toPlanes(float[] rgb, int count, int pixels) {
        float[] planes = new float[count * 3 * pixels];
        for (int t = 0; t < count; t++) {
            for (int p = 0; p < pixels; p++) {
                int from = (t * pixels + p) * 3;
                for (int c = 0; c < 3; c++) {
                    planes[(t * 3 + c) * pixels + p] = rgb[from + c];
                }
            }
        }
        return planes;
    }

    /** The inverse of {@link #toPlanes}. */
    static float[] toInterleaved(float[] planes, int count, int pixels) {
        float[] rgb = new float[count * pixels * 3];
        for (int t = 0; t < count; t++) {
            for (int p = 0; p < pixels; p++) {
                int to = (t * pixels + p) * 3;
                for (int c = 0; c < 3; c++) {
                    rgb[to + c] = planes[(t * 3 + c) * pixels + p];
                }
            }
        }
        return rgb;
    }

    private Predictor<NDList, NDList> borrow() {
        try {
            return predictors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a predictor", e);
        }
    }

    @Override
    public void close() {
        allPredictors.forEach(Predictor::close);
        model.close();
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close model " + card.name() + ": " + e.getMessage(), e);
        }
    }
}
