package io.noise2noise.image;

/**
 * EXIF orientation (1–8): how the stored pixels must be turned to be seen upright. Decoding applies
 * it to the pixels, so everything after (the model, the written file) deals with upright images
 * and the written EXIF says 1.
 */
final class ExifOrientation {

    static final int UPRIGHT = 1;

    private ExifOrientation() {}

    /** The orientation in a TIFF structure (an EXIF block or a TIFF file); upright when absent or invalid. */
    static int of(TiffDirectory directory) {
        int value = directory == null
                ? UPRIGHT
                : directory.intValue(TiffDirectory.ORIENTATION).orElse(UPRIGHT);
        return value >= 1 && value <= 8 ? value : UPRIGHT;
    }

    /** Whether the orientation swaps width and height (the four that include a quarter turn). */
    static boolean swapsAxes(int orientation) {
        return orientation >= 5;
    }

    /**
     * The pixels turned upright, with {@code metadata}: the same samples when already upright,
     * otherwise a turned copy ({@code height}×{@code width} when {@link #swapsAxes}).
     */
    static PixelImage upright(PixelImage image, int orientation, ImageMetadata metadata) {
        int width = image.width();
        int height = image.height();
        if (orientation == UPRIGHT) {
            return new PixelImage(
                    width, height, image.grey(), image.hasAlpha(), image.bytes(), image.shorts(), metadata);
        }
        boolean swap = swapsAxes(orientation);
        int outWidth = swap ? height : width;
        int outHeight = swap ? width : height;
        PixelImage out =
                PixelImage.blank(outWidth, outHeight, image.grey(), image.hasAlpha(), image.bitDepth(), metadata);
        Object samples = image.bytes() != null ? image.bytes() : image.shorts();
        Object turned = out.bytes() != null ? out.bytes() : out.shorts();
        int channels = image.channels();
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                // (sx, sy): the stored pixel that is seen at (x, y)
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> {
                        sx = width - 1 - x;
                        sy = y;
                    }
                    case 3 -> {
                        sx = width - 1 - x;
                        sy = height - 1 - y;
                    }
                    case 4 -> {
                        sx = x;
                        sy = height - 1 - y;
                    }
                    case 5 -> {
                        sx = y;
                        sy = x;
                    }
                    case 6 -> {
                        sx = y;
                        sy = height - 1 - x;
                    }
                    case 7 -> {
                        sx = width - 1 - y;
                        sy = height - 1 - x;
                    }
                    default -> {
                        sx = width - 1 - y;
                        sy = x;
                    }
                }
                System.arraycopy(
                        samples, (sy * width + sx) * channels, turned, (y * outWidth + x) * channels, channels);
            }
        }
        return out;
    }
}
