package io.noise2noise.image;

/**
 * What the header says: format (png, jpeg, bmp, gif, tiff, webp) and size as the image is seen,
 * i.e. with width and height swapped when its EXIF orientation turns it a quarter.
 */
public record ImageInfo(String format, int width, int height) {

    public long pixels() {
        return (long) width * height;
    }

    public String contentType() {
        return ImageCodec.contentType(format);
    }
}
