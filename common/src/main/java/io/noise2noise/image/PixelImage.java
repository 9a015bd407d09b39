package io.noise2noise.image;

/**
 * Decoded pixels as the models see them: RGB, interleaved (HWC), float in [0, 1]. A grey image is
 * carried as three equal channels and flagged, so it can be written back grey; alpha, when present,
 * is carried aside untouched.
 */
public record PixelImage(int width, int height, float[] rgb, float[] alpha, boolean grey) {

    public PixelImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " values for " + width + "x" + height);
        }
        if (alpha != null && alpha.length != width * height) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " values for " + width + "x" + height);
        }
    }

    public PixelImage withRgb(float[] newRgb) {
        return new PixelImage(width, height, newRgb, alpha, grey);
    }
}
