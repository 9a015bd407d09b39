package io.noise2noise.image;

/**
 * What a decoded file said besides its pixels, kept so the result can be written the way it came:
 * the format (lower-case: png, jpeg, bmp, gif, tiff, webp), the ICC profile the samples are encoded
 * in, and the EXIF block (TIFF structure, without the JPEG "Exif" prefix) with its orientation
 * already applied to the pixels and reset to 1. Either byte array may be null.
 */
public record ImageMetadata(String format, byte[] iccProfile, byte[] exif) {

    /** For pixels that came from no file: written as sRGB, without EXIF. */
    public static final ImageMetadata NONE = new ImageMetadata(null, null, null);
}
