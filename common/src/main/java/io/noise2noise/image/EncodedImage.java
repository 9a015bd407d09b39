package io.noise2noise.image;

/**
 * A written image and what it really is: the format can differ from the one asked for when no
 * writer exists for it (WebP is written as PNG), so store and serve it with this content type.
 */
public record EncodedImage(byte[] data, String format, String contentType) {
}
