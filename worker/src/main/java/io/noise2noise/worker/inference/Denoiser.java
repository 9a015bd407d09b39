package io.noise2noise.worker.inference;

import io.noise2noise.image.PixelImage;

/**
 * Runs a model over an image of any size: images up to the tile size go through whole (reflect-padded
 * to the model's size multiple and cropped back); larger ones are cut into overlapping tiles whose
 * outputs are blended with linear ramps across the overlaps, so the model's memory stays bounded by
 * the tile size and no seams show.
 */
public class Denoiser {

    private final int tileSize;
    private final int tileOverlap;

    public Denoiser(int tileSize, int tileOverlap) {
        this.tileSize = tileSize;
        this.tileOverlap = tileOverlap;
    }

    /** Told after every tile; may throw to stop the work (a canceled job). */
    @FunctionalInterface
    public interface TileListener {
        TileListener NONE = (done, total) -> { };

        void tileDone(int done, int total);
    }

    public PixelImage denoise(PixelImage image, DenoisingModel model, double strength) {
        return denoise(image, model, strength, TileListener.NONE);
    }

    /** Returns {@code input + strength · (model(input) − input)}; strength 0 gives back the input. */
    public PixelImage denoise(PixelImage image, DenoisingModel model, double strength, TileListener listener) {
        if (strength < 0 || strength > 1) {
            throw new IllegalArgumentException("strength must be in [0, 1], was " + strength);
        }
        float[] input = image.rgb();
        if (strength == 0) {
            return image.withRgb(input.clone());
        }
        float[] denoised = runTiled(image, model, listener);
        float s = (float) strength;
        for (int i = 0; i < denoised.length; i++) {
            denoised[i] = input[i] + s * (denoised[i] - input[i]);
        }
        return image.withRgb(denoised);
    }

    /** How many model runs {@code image} takes with {@code model}: one per tile. */
    public int tileCount(PixelImage image, DenoisingModel model) {
        int tile = tileSide(model);
        return starts(image.height(), tile).length * starts(image.width(), tile).length;
    }

    private int tileSide(DenoisingModel model) {
        int multiple = Math.max(1, model.card().sizeMultiple());
        return Math.max(multiple, tileSize / multiple * multiple);
    }

    private float[] runTiled(PixelImage image, DenoisingModel model, TileListener listener) {
        int multiple = Math.max(1, model.card().sizeMultiple());
        int tile = tileSide(model);
        int width = image.width();
        int height = image.height();
        float[] sum = new float[width * height * 3];
        float[] weightSum = new float[width * height];
        int[] rows = starts(height, tile);
        int[] columns = starts(width, tile);
        int total = rows.length * columns.length;
        int done = 0;
        for (int y0 : rows) {
            for (int x0 : columns) {
                int th = Math.min(tile, height);
                int tw = Math.min(tile, width);
                int ph = roundUp(th, multiple);
                int pw = roundUp(tw, multiple);
                float[] out = model.run(extract(image, y0, x0, ph, pw), 1, ph, pw);
                float[] wy = ramp(th, y0 > 0, y0 + th < height);
                float[] wx = ramp(tw, x0 > 0, x0 + tw < width);
                for (int y = 0; y < th; y++) {
                    for (int x = 0; x < tw; x++) {
                        float w = wy[y] * wx[x];
                        int dst = (y0 + y) * width + x0 + x;
                        int src = (y * pw + x) * 3;
                        weightSum[dst] += w;
                        sum[3 * dst] += w * out[src];
                        sum[3 * dst + 1] += w * out[src + 1];
                        sum[3 * dst + 2] += w * out[src + 2];
                    }
                }
                listener.tileDone(++done, total);
            }
        }
        for (int i = 0; i < weightSum.length; i++) {
            float inverse = 1f / weightSum[i];
            sum[3 * i] *= inverse;
            sum[3 * i + 1] *= inverse;
            sum[3 * i + 2] *= inverse;
        }
        return sum;
    }

    /** Tile origins along one axis: a stride of tile − overlap, the last tile flush with the end. */
    private int[] starts(int length, int tile) {
        if (length <= tile) {
            return new int[] {0};
        }
        int stride = tile - tileOverlap;
        int count = (length - tile + stride - 1) / stride + 1;
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) {
            starts[i] = Math.min(i * stride, length - tile);
        }
        return starts;
    }

    /**
     * Blend weights along one tile side. Where a neighbour shares the overlap, the outer quarter of
     * it gets no weight (those pixels saw the tile's edge, not the image), the middle half ramps up
     * linearly, so each output pixel comes mostly from the tile that saw the most context around it.
     */
    private float[] ramp(int length, boolean neighbourBefore, boolean neighbourAfter) {
        float[] weights = new float[length];
        for (int i = 0; i < length; i++) {
            float w = 1f;
            if (neighbourBefore && tileOverlap > 0) {
                w = Math.min(w, rampUp(i));
            }
            if (neighbourAfter && tileOverlap > 0) {
                w = Math.min(w, rampUp(length - 1 - i));
            }
            weights[i] = w;
        }
        return weights;
    }

    private float rampUp(int distanceFromEdge) {
        float quarter = tileOverlap / 4f;
        return Math.max(0f, Math.min(1f, (distanceFromEdge + 0.5f - quarter) / (2 * quarter)));
    }

    /** Copies a {@code height}×{@code width} window at (y0, x0), mirroring pixels beyond the image's edges. */
    private static float[] extract(PixelImage image, int y0, int x0, int height, int width) {
        float[] rgb = image.rgb();
        float[] tile = new float[height * width * 3];
        for (int y = 0; y < height; y++) {
            int sy = reflect(y0 + y, image.height());
            for (int x = 0; x < width; x++) {
                int src = 3 * (sy * image.width() + reflect(x0 + x, image.width()));
                int dst = 3 * (y * width + x);
                tile[dst] = rgb[src];
                tile[dst + 1] = rgb[src + 1];
                tile[dst + 2] = rgb[src + 2];
            }
        }
        return tile;
    }

    static int reflect(int index, int length) {
        if (length == 1) {
            return 0;
        }
        int period = 2 * (length - 1);
        int i = Math.floorMod(index, period);
        return i < length ? i : period - i;
    }

    private static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
