package io.noise2noise.image;

import java.util.Locale;

/**
 * How to write an image: {@code format} (png, jpeg, bmp, gif, tiff, webp; null means the format
 * the image was decoded from) and the JPEG {@code quality} in (0, 1].
 */
public record OutputOptions(String format, float jpegQuality) {

    public static final float DEFAULT_JPEG_QUALITY = 0.95f;

    public OutputOptions {
        if (!(jpegQuality > 0 && jpegQuality <= 1)) {
            throw new IllegalArgumentException("JPEG quality must be in (0, 1], was " + jpegQuality);
        }
        format = format == null ? null : ImageCodec.canonicalFormat(format.toLowerCase(Locale.ROOT));
    }

    /** The input's format, JPEG quality 0.95. */
    public static OutputOptions sameFormat() {
        return new OutputOptions(null, DEFAULT_JPEG_QUALITY);
    }

    public static OutputOptions format(String format) {
        return new OutputOptions(format, DEFAULT_JPEG_QUALITY);
    }

    public OutputOptions withJpegQuality(float quality) {
        return new OutputOptions(format, quality);
    }
}
