package io.noise2noise.image;

import java.util.Arrays;

/**
 * Estimates the noise standard deviation of an image (on the 0–255 scale) with Donoho's robust
 * estimator: the median absolute value of the finest diagonal Haar detail band (of every colour
 * channel, pooled), divided by 0.6745. Image structure rarely lives in that band, so the estimate
 * tracks the noise, not the content.
 */
public final class NoiseLevel {

    private static final double MAD_TO_SIGMA = 0.6745;

    private NoiseLevel() {
    }

    public static double estimateSigma(PixelImage image) {
        int halfWidth = image.width() / 2;
        int halfHeight = image.height() / 2;
        if (halfWidth == 0 || halfHeight == 0) {
            return 0;
        }
        float[] rgb = image.rgb();
        int rowStride = 3 * image.width();
        float[] detail = new float[halfWidth * halfHeight * 3];
        int n = 0;
        for (int y = 0; y < halfHeight; y++) {
            for (int x = 0; x < halfWidth; x++) {
                int topLeft = 2 * y * rowStride + 6 * x;
                for (int c = 0; c < 3; c++) {
                    int i = topLeft + c;
                    detail[n++] = Math.abs(rgb[i] - rgb[i + 3] - rgb[i + rowStride] + rgb[i + rowStride + 3]) / 2f;
                }
            }
        }
        Arrays.sort(detail);
        return detail[detail.length / 2] / MAD_TO_SIGMA * 255.0;
    }
}
