package io.noise2noise.image;

/**
 * Estimates the noise standard deviation of an image (on the 0–255 scale) with Donoho's robust
 * estimator: the median absolute value of the finest diagonal Haar detail band (of every colour
 * channel, pooled), divided by 0.6745. Image structure rarely lives in that band, so the estimate
 * tracks the noise, not the content.
 */
public final class NoiseLevel {

    private static final double MAD_TO_SIGMA = 0.6745;

    private NoiseLevel() {}

    public static double estimateSigma(PixelImage image) {
        int halfWidth = image.width() / 2;
        int halfHeight = image.height() / 2;
        if (halfWidth == 0 || halfHeight == 0) {
            return 0;
        }
        // on integer samples the detail |a - b - c + d| is an integer in [0, 2·max]: a histogram gives
        // the exact median without a sorted array as large as the image
        int max = image.maxValue();
        long[] counts = new long[2 * max + 1];
        int channels = image.channels();
        int colours = image.grey() ? 1 : 3;
        int rowStride = channels * image.width();
        for (int y = 0; y < halfHeight; y++) {
            for (int x = 0; x < halfWidth; x++) {
                int topLeft = 2 * y * rowStride + 2 * x * channels;
                for (int c = 0; c < colours; c++) {
                    int i = topLeft + c;
                    counts[
                            Math.abs(image.get(i)
                                    - image.get(i + channels)
                                    - image.get(i + rowStride)
                                    + image.get(i + rowStride + channels))]++;
                }
            }
        }
        long median = (long) halfWidth * halfHeight * colours / 2;
        long seen = 0;
        int detail = 0;
        while (seen + counts[detail] <= median) {
            seen += counts[detail++];
        }
        return detail / 2.0 / max / MAD_TO_SIGMA * 255.0;
    }
}
