package io.noise2noise.image;

import java.util.Arrays;

/**
 * Decoded pixels, upright (EXIF orientation applied), held at the precision the source had: 8-bit
 * samples in a {@code byte[]}, 16-bit ones in a {@code short[]} (unsigned), interleaved per pixel as
 * grey or R, G, B, then alpha when there is one. A 40 MP RGB image is 120 MB at 8 bits rather than
 * 480 MB as floats; the model's view (RGB floats in [0, 1], grey as three equal channels) is made a
 * few rows at a time by {@link #readRgb} and written back, rounded to the bit depth, by
 * {@link #writeRgb} (grey: the mean of the three). Alpha is carried untouched. {@code bitDepth} (8
 * or 16) is also the precision the result is written at where the format allows (PNG, TIFF).
 * {@code metadata} keeps the source format, ICC profile and EXIF for writing the result.
 *
 * <p>Not thread-safe: the samples are mutable, so that a denoiser can write its result over them.
 */
public final class PixelImage {

    /** Sample value → float in [0, 1], exactly {@code value / max}, without a division per sample. */
    private static final float[] LEVELS_8 = levels(255);

    private static final float[] LEVELS_16 = levels(65535);

    private final int width;
    private final int height;
    private final boolean grey;
    private final boolean alpha;
    private final int bitDepth;
    private final ImageMetadata metadata;
    /** Exactly one of the two holds the samples, by bit depth. */
    private final byte[] bytes;

    private final short[] shorts;

    PixelImage(
            int width, int height, boolean grey, boolean alpha, byte[] bytes, short[] shorts, ImageMetadata metadata) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive, was " + width + "x" + height);
        }
        if ((bytes == null) == (shorts == null)) {
            throw new IllegalArgumentException("exactly one of 8-bit and 16-bit samples is needed");
        }
        this.width = width;
        this.height = height;
        this.grey = grey;
        this.alpha = alpha;
        this.bitDepth = bytes != null ? 8 : 16;
        this.bytes = bytes;
        this.shorts = shorts;
        this.metadata = metadata == null ? ImageMetadata.NONE : metadata;
        long expected = (long) width * height * channels();
        int length = bytes != null ? bytes.length : shorts.length;
        if (length != expected) {
            throw new IllegalArgumentException("samples have " + length + " values for " + width + "x" + height
                    + " with " + channels() + " channels");
        }
    }

    /** An image of {@code bitDepth} (8 or 16) bits with samples to be filled in. */
    static PixelImage blank(int width, int height, boolean grey, boolean alpha, int bitDepth, ImageMetadata metadata) {
        int length = Math.toIntExact((long) width * height * ((grey ? 1 : 3) + (alpha ? 1 : 0)));
        return switch (bitDepth) {
            case 8 -> new PixelImage(width, height, grey, alpha, new byte[length], null, metadata);
            case 16 -> new PixelImage(width, height, grey, alpha, null, new short[length], metadata);
            default -> throw new IllegalArgumentException("bit depth must be 8 or 16, was " + bitDepth);
        };
    }

    /**
     * Pixels from no file, rounded to {@code bitDepth} bits: {@code rgb} interleaved (HWC) in [0, 1],
     * {@code alpha} one value per pixel or null; a grey image keeps the mean of each pixel's three.
     */
    public static PixelImage fromFloats(int width, int height, float[] rgb, float[] alpha, boolean grey, int bitDepth) {
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " values for " + width + "x" + height);
        }
        if (alpha != null && alpha.length != (long) width * height) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " values for " + width + "x" + height);
        }
        PixelImage image = blank(width, height, grey, alpha != null, bitDepth, ImageMetadata.NONE);
        for (int y = 0; y < height; y++) {
            image.writeRgb(0, y, width, rgb, 3 * y * width);
        }
        if (alpha != null) {
            int max = image.maxValue();
            int channels = image.channels();
            for (int i = 0; i < alpha.length; i++) {
                image.set(i * channels + channels - 1, quantise(alpha[i], max));
            }
        }
        return image;
    }

    /** 8-bit pixels from no file; see {@link #fromFloats(int, int, float[], float[], boolean, int)}. */
    public static PixelImage fromFloats(int width, int height, float[] rgb, float[] alpha, boolean grey) {
        return fromFloats(width, height, rgb, alpha, grey, 8);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean grey() {
        return grey;
    }

    public boolean hasAlpha() {
        return alpha;
    }

    public int bitDepth() {
        return bitDepth;
    }

    public ImageMetadata metadata() {
        return metadata;
    }

    /** Samples per pixel: 1 (grey) or 3 (RGB), plus 1 for alpha. */
    public int channels() {
        return (grey ? 1 : 3) + (alpha ? 1 : 0);
    }

    /** The largest sample value: 255 or 65535. */
    int maxValue() {
        return (1 << bitDepth) - 1;
    }

    /**
     * Copies {@code count} pixels from ({@code x}, {@code y}) onwards in the row into {@code rgb} from
     * {@code offset}, as interleaved RGB floats in [0, 1] (grey: three equal values).
     */
    public void readRgb(int x, int y, int count, float[] rgb, int offset) {
        int channels = channels();
        int at = (y * width + x) * channels;
        float[] levels = bytes != null ? LEVELS_8 : LEVELS_16;
        for (int i = 0; i < count; i++, at += channels, offset += 3) {
            if (grey) {
                float v = levels[get(at)];
                rgb[offset] = v;
                rgb[offset + 1] = v;
                rgb[offset + 2] = v;
            } else {
                rgb[offset] = levels[get(at)];
                rgb[offset + 1] = levels[get(at + 1)];
                rgb[offset + 2] = levels[get(at + 2)];
            }
        }
    }

    /**
     * Writes {@code count} pixels of interleaved RGB floats from {@code rgb} at {@code offset} over the
     * pixels from ({@code x}, {@code y}) onwards, clipped to [0, 1] and rounded to the bit depth; a
     * grey image takes the mean of the three. Alpha is left as it is.
     */
    public void writeRgb(int x, int y, int count, float[] rgb, int offset) {
        int channels = channels();
        int at = (y * width + x) * channels;
        int max = maxValue();
        for (int i = 0; i < count; i++, at += channels, offset += 3) {
            if (grey) {
                set(at, quantise((rgb[offset] + rgb[offset + 1] + rgb[offset + 2]) / 3f, max));
            } else {
                set(at, quantise(rgb[offset], max));
                set(at + 1, quantise(rgb[offset + 1], max));
                set(at + 2, quantise(rgb[offset + 2], max));
            }
        }
    }

    /** The whole image as interleaved RGB floats (a new array of 12 bytes per pixel: for small images). */
    public float[] toFloatRgb() {
        float[] rgb = new float[width * height * 3];
        for (int y = 0; y < height; y++) {
            readRgb(0, y, width, rgb, 3 * y * width);
        }
        return rgb;
    }

    /** Alpha as floats in [0, 1], one per pixel (a new array), or null without alpha. */
    public float[] toFloatAlpha() {
        if (!alpha) {
            return null;
        }
        int channels = channels();
        float[] levels = bytes != null ? LEVELS_8 : LEVELS_16;
        float[] values = new float[width * height];
        for (int i = 0; i < values.length; i++) {
            values[i] = levels[get(i * channels + channels - 1)];
        }
        return values;
    }

    /** An independent copy (samples and all). */
    public PixelImage copy() {
        return new PixelImage(
                width,
                height,
                grey,
                alpha,
                bytes == null ? null : bytes.clone(),
                shorts == null ? null : shorts.clone(),
                metadata);
    }

    /** Whether both hold the same pixels at the same bit depth and layout. */
    public boolean samePixels(PixelImage other) {
        return width == other.width
                && height == other.height
                && grey == other.grey
                && alpha == other.alpha
                && Arrays.equals(bytes, other.bytes)
                && Arrays.equals(shorts, other.shorts);
    }

    /** The 8-bit samples (null at 16 bits), shared, not copied. */
    byte[] bytes() {
        return bytes;
    }

    /** The 16-bit samples (null at 8 bits), shared, not copied. */
    short[] shorts() {
        return shorts;
    }

    /** The sample at {@code index} of the interleaved array, unsigned. */
    int get(int index) {
        return bytes != null ? bytes[index] & 0xff : shorts[index] & 0xffff;
    }

    void set(int index, int value) {
        if (bytes != null) {
            bytes[index] = (byte) value;
        } else {
            shorts[index] = (short) value;
        }
    }

    private static float[] levels(int max) {
        float[] levels = new float[max + 1];
        for (int i = 0; i <= max; i++) {
            levels[i] = (float) i / max;
        }
        return levels;
    }

    private static int quantise(float value, int max) {
        // NaN (a broken model) becomes 0 rather than an exception deep in a job
        return value > 0 ? Math.round(Math.min(1f, value) * max) : 0;
    }
}
