package io.noise2noise.image;

/**
 * Decoded pixels as the models see them: RGB, interleaved (HWC), float in [0, 1], upright (EXIF
 * orientation applied). A grey image is carried as three equal channels and flagged, so it can be
 * written back grey; alpha, when present, is carried aside untouched. {@code bitDepth} (8 or 16) is
 * the precision the source had and the one the result is written at where the format allows (PNG,
 * TIFF); the floats are never rounded to 8 bits on the way. {@code metadata} keeps the source
 * format, ICC profile and EXIF for writing the result.
 */
public record PixelImage(int width, int height, float[] rgb, float[] alpha, boolean grey, int bitDepth,
                         ImageMetadata metadata) {

    public PixelImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " values for " + width + "x" + height);
        }
        if (alpha != null && alpha.length != width * height) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " values for " + width + "x" + height);
        }
        if (bitDepth != 8 && bitDepth != 16) {
            throw new IllegalArgumentException("bit depth must be 8 or 16, was " + bitDepth);
        }
        metadata = metadata == null ? ImageMetadata.NONE : metadata;
    }

    /** 8-bit pixels from no file. */
    public PixelImage(int width, int height, float[] rgb, float[] alpha, boolean grey) {
        this(width, height, rgb, alpha, grey, 8, ImageMetadata.NONE);
    }

    /** The same image (size, alpha, grey flag, bit depth, metadata) with new colour values. */
    public PixelImage withRgb(float[] newRgb) {
        return new PixelImage(width, height, newRgb, alpha, grey, bitDepth, metadata);
    }
}
