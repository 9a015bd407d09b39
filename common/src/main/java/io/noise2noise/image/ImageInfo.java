package io.noise2noise.image;

/** What the header says: format (lower-case ImageIO name: png, jpeg, bmp, gif) and size. */
public record ImageInfo(String format, int width, int height) {

    public long pixels() {
        return (long) width * height;
    }

    public String contentType() {
        return ImageCodec.contentType(format);
    }
}
