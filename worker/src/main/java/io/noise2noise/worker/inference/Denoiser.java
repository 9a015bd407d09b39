package io.noise2noise.worker.inference;

import io.noise2noise.image.PixelImage;
import java.util.Arrays;

/**
 * Runs a model over an image of any size: images up to the tile size go through whole (reflect-padded
 * to the model's size multiple and cropped back); larger ones are cut into overlapping tiles whose
 * outputs are blended with linear ramps across the overlaps, so the model's memory stays bounded by
 * the tile size and no seams show.
 *
 * <p>Memory: besides the input image (held at its own bit depth, see {@link PixelImage}), a call
 * holds the result ({@link #denoise}: a copy of the image; none with {@link #denoiseInPlace}), one
 * band of tile rows across the image's width as floats and the tiles of one model call
 * ({@code tileBatch} tiles, never more than a band's). The blend weights are separable (tile grid
 * × per-axis ramps), so they are normalised per axis up front and accumulated straight into the band:
 * no full-size weight or sum arrays and no normalisation pass. Tiles are balanced: as few as cover
 * the image with the overlap, spread evenly, so an image just over the tile size costs little more
 * than one tile per axis.
 */
public class Denoiser {

    private final int tileSize;
    private final int tileOverlap;
    private final int tileBatch;

    public Denoiser(int tileSize, int tileOverlap) {
        this(tileSize, tileOverlap, 1);
    }

    /**
     * @param tileBatch how many equally sized tiles go to the model in one call (NHWC batch); more
     *                  uses proportionally more native memory per call
     */
    public Denoiser(int tileSize, int tileOverlap, int tileBatch) {
        if (tileBatch < 1) {
            throw new IllegalArgumentException("tileBatch must be at least 1, was " + tileBatch);
        }
        this.tileSize = tileSize;
        this.tileOverlap = tileOverlap;
        this.tileBatch = tileBatch;
    }

    /** Told after every tile; may throw to stop the work (a canceled job). */
    @FunctionalInterface
    public interface TileListener {
        TileListener NONE = (done, total) -> {};

        void tileDone(int done, int total);
    }

    public PixelImage denoise(PixelImage image, DenoisingModel model, double strength) {
        return denoise(image, model, strength, TileListener.NONE);
    }

    /**
     * Returns {@code input + strength · (model(input) − input)}, rounded to the image's bit depth, in a
     * copy of {@code image}; strength 0 gives back {@code image} itself (no copy: callers must not
     * modify the pixels of either).
     */
    public PixelImage denoise(PixelImage image, DenoisingModel model, double strength, TileListener listener) {
        return run(image, model, strength, listener, false);
    }

    /**
     * Like {@link #denoise(PixelImage, DenoisingModel, double, TileListener)}, but writes the result
     * over {@code image}'s own pixels (which then hold the result; {@code image} is returned), so a
     * call needs no second full-size image: besides the image, memory is one band of tile rows across
     * the image's width plus the tiles of one model call. Use it when the input pixels are not needed
     * afterwards (estimate noise before, not after).
     */
    public PixelImage denoiseInPlace(PixelImage image, DenoisingModel model, double strength, TileListener listener) {
        return run(image, model, strength, listener, true);
    }

    private PixelImage run(
            PixelImage image, DenoisingModel model, double strength, TileListener listener, boolean inPlace) {
        if (strength < 0 || strength > 1) {
            throw new IllegalArgumentException("strength must be in [0, 1], was " + strength);
        }
        if (strength == 0) {
            return image;
        }
        PixelImage target = inPlace ? image : image.copy();
        long started = System.nanoTime();
        runTiled(target, model, (float) strength, listener);
        model.recordDenoised((long) image.width() * image.height(), System.nanoTime() - started);
        return target;
    }

    /** How many model runs {@code image} takes with {@code model}: one per tile. */
    public int tileCount(PixelImage image, DenoisingModel model) {
        Grid grid = grid(image, model);
        return grid.rows().length * grid.columns().length;
    }

    /**
     * How {@code image} is cut for {@code model}: {@code th}×{@code tw} tiles (at most the tile side,
     * balanced) at the origins {@code rows}×{@code columns}, overlapping by at least {@code overlap}.
     */
    private record Grid(int multiple, int overlap, int th, int tw, int[] rows, int[] columns) {}

    /**
     * The overlap is the configured one or, when larger, the context the model's card says a tile
     * needs for the blended output to match the untiled one (a U-Net sees far beyond 32 px); the tile
     * side is the configured one, at least four overlaps (so most of a tile is kept).
     */
    private Grid grid(PixelImage image, DenoisingModel model) {
        int multiple = model.card().sizeMultiple();
        int overlap = Math.max(tileOverlap, model.card().tileOverlap());
        int tile = Math.max(roundUp(Math.max(multiple, 4 * overlap), multiple), tileSize / multiple * multiple);
        int th = balancedTile(image.height(), tile, overlap, multiple);
        int tw = balancedTile(image.width(), tile, overlap, multiple);
        return new Grid(
                multiple,
                overlap,
                th,
                tw,
                starts(image.height(), th, overlap, multiple),
                starts(image.width(), tw, overlap, multiple));
    }

    /**
     * The tile side actually used along an axis: the smallest multiple of {@code multiple}, at most
     * {@code tile}, with which the same number of tiles still covers {@code length} with the overlap.
     * Spreading the axis evenly over the tiles instead of cutting full {@code tile}-sized ones that
     * overlap far more than needed saves work: a 775-pixel side takes two 404-pixel tiles instead of
     * two 512-pixel ones.
     */
    private static int balancedTile(int length, int tile, int overlap, int multiple) {
        if (length <= tile) {
            return length;
        }
        int stride = stride(tile, overlap, multiple);
        int count = (length - tile + stride - 1) / stride + 1;
        int side = (length + (count - 1) * overlap + count - 1) / count;
        return Math.min(tile, roundUp(side, multiple));
    }

    /**
     * Tiles row band by row band (a band: the tiles that share a row origin). Each band's outputs are
     * accumulated into a buffer of one tile's height across the image; after a band, the rows above
     * the next band's origin are final (blended with the input by {@code strength}) and are written
     * over the image's own rows, rounded to its bit depth; rows that the next band overlaps are carried
     * over. No later band reads rows above its origin, so nothing reads a row once it is written.
     */
    private void runTiled(PixelImage image, DenoisingModel model, float strength, TileListener listener) {
        Grid grid = grid(image, model);
        int width = image.width();
        int height = image.height();
        // every tile has the same size; the last one may reach past the image's end (mirrored pixels)
        int th = grid.th();
        int[] rows = grid.rows();
        int[] columns = grid.columns();
        int ph = roundUp(th, grid.multiple());
        int pw = roundUp(grid.tw(), grid.multiple());
        float[][] wy = normalisedRamps(rows, th, height, grid.overlap());
        float[][] wx = normalisedRamps(columns, grid.tw(), width, grid.overlap());

        int rowValues = 3 * width;
        float[] band = new float[th * rowValues];
        int total = rows.length * columns.length;
        int batch = Math.min(tileBatch, columns.length);
        int tileValues = ph * pw * 3;
        float[] tiles = new float[batch * tileValues];
        float[] input = strength == 1f ? null : new float[rowValues];
        for (int r = 0; r < rows.length; r++) {
            int y0 = rows[r];
            if (r > 0) {
                // carry the rows the previous band shares with this one to the top, clear the rest
                int shift = y0 - rows[r - 1];
                System.arraycopy(band, shift * rowValues, band, 0, (th - shift) * rowValues);
                Arrays.fill(band, (th - shift) * rowValues, band.length, 0f);
            }
            for (int c0 = 0; c0 < columns.length; c0 += batch) {
                int count = Math.min(batch, columns.length - c0);
                for (int k = 0; k < count; k++) {
                    extract(image, y0, columns[c0 + k], ph, pw, tiles, k * tileValues);
                }
                float[] out = model.run(tiles, count, ph, pw);
                for (int k = 0; k < count; k++) {
                    accumulate(band, width, out, k * tileValues, pw, columns[c0 + k], wy[r], wx[c0 + k]);
                    listener.tileDone(r * columns.length + c0 + k + 1, total);
                }
            }
            int finalRows = (r + 1 < rows.length ? rows[r + 1] : height) - y0;
            for (int y = 0; y < finalRows; y++) {
                int at = y * rowValues;
                if (input != null) {
                    image.readRgb(0, y0 + y, width, input, 0);
                    for (int i = 0; i < rowValues; i++) {
                        band[at + i] = input[i] + strength * (band[at + i] - input[i]);
                    }
                }
                image.writeRgb(0, y0 + y, width, band, at);
            }
        }
    }

    /**
     * Adds one tile's output, weighted, into the band buffer {@code result} (whose row 0 is the tile's
     * top row); the weights of all tiles sum to 1 per pixel.
     */
    private static void accumulate(
            float[] result, int width, float[] out, int offset, int pw, int x0, float[] wy, float[] wx) {
        for (int y = 0; y < wy.length; y++) {
            float ry = wy[y];
            if (ry == 0f) {
                continue;
            }
            int dst = 3 * (y * width + x0);
            int src = offset + 3 * y * pw;
            for (int x = 0; x < wx.length; x++, dst += 3, src += 3) {
                float w = ry * wx[x];
                result[dst] += w * out[src];
                result[dst + 1] += w * out[src + 1];
                result[dst + 2] += w * out[src + 2];
            }
        }
    }

    /**
     * The blend weights along one axis for every tile starting at {@code starts}, divided by their sum
     * at each position, so that the product of a row tile's and a column tile's weights sums to 1
     * over all tiles covering a pixel (the 2-D weights are separable and the tiles form a grid).
     */
    private static float[][] normalisedRamps(int[] starts, int length, int extent, int overlap) {
        float[][] ramps = new float[starts.length][];
        float[] sum = new float[extent];
        for (int i = 0; i < starts.length; i++) {
            // the last tile may reach past the end (mirrored pixels, as when the image is padded whole)
            int used = Math.min(length, extent - starts[i]);
            ramps[i] = ramp(used, starts[i] > 0, starts[i] + length < extent, overlap);
            for (int j = 0; j < used; j++) {
                sum[starts[i] + j] += ramps[i][j];
            }
        }
        for (int i = 0; i < starts.length; i++) {
            for (int j = 0; j < ramps[i].length; j++) {
                ramps[i][j] /= sum[starts[i] + j];
            }
        }
        return ramps;
    }

    /**
     * Tile origins along one axis: multiples of the model's size multiple (a network that pools or
     * unshuffles is not shift-invariant, so a tile must see the pooling grid the whole image sees), a
     * stride of at most tile − overlap, the last tile ending where the whole image, padded to the
     * multiple, ends.
     */
    private static int[] starts(int length, int tile, int overlap, int multiple) {
        if (length <= tile) {
            return new int[] {0};
        }
        int stride = stride(tile, overlap, multiple);
        int count = (length - tile + stride - 1) / stride + 1;
        int last = roundUp(length - tile, multiple);
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) {
            starts[i] = Math.min(i * stride, last);
        }
        return starts;
    }

    private static int stride(int tile, int overlap, int multiple) {
        return Math.max(multiple, (tile - overlap) / multiple * multiple);
    }

    /**
     * Blend weights along one tile side. Where a neighbour shares the overlap, the outer quarter of
     * it gets no weight (those pixels saw the tile's edge, not the image), the middle half ramps up
     * linearly, so each output pixel comes mostly from the tile that saw the most context around it.
     */
    private static float[] ramp(int length, boolean neighbourBefore, boolean neighbourAfter, int overlap) {
        float[] weights = new float[length];
        for (int i = 0; i < length; i++) {
            float w = 1f;
            if (neighbourBefore && overlap > 0) {
                w = Math.min(w, rampUp(i, overlap));
            }
            if (neighbourAfter && overlap > 0) {
                w = Math.min(w, rampUp(length - 1 - i, overlap));
            }
            weights[i] = w;
        }
        return weights;
    }

    private static float rampUp(int distanceFromEdge, int overlap) {
        float quarter = overlap / 4f;
        return Math.max(0f, Math.min(1f, (distanceFromEdge + 0.5f - quarter) / (2 * quarter)));
    }

    /**
     * Copies a {@code height}×{@code width} window at (y0, x0) into {@code tile} from {@code offset},
     * mirroring pixels beyond the image's edges.
     */
    private static void extract(PixelImage image, int y0, int x0, int height, int width, float[] tile, int offset) {
        int imageWidth = image.width();
        int inside = Math.max(0, Math.min(width, imageWidth - x0));
        for (int y = 0; y < height; y++) {
            int row = reflect(y0 + y, image.height());
            int dst = offset + 3 * y * width;
            if (x0 >= 0 && inside > 0) {
                image.readRgb(x0, row, inside, tile, dst);
            }
            for (int x = inside; x < width; x++) {
                image.readRgb(reflect(x0 + x, imageWidth), row, 1, tile, dst + 3 * x);
            }
        }
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
