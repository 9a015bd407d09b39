package io.noise2noise.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoiseLevelTest {

    @ParameterizedTest
    @ValueSource(doubles = {0, 10, 25, 50})
    void estimatesTheSigmaOfAddedGaussianNoise(double sigma) {
        int width = 256;
        int height = 192;
        Random random = new Random(7);
        float[] rgb = new float[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    double smooth = 0.5 + 0.3 * Math.sin(x / 17.0 + c) * Math.cos(y / 23.0);
                    rgb[3 * (y * width + x) + c] = (float) (smooth + random.nextGaussian() * sigma / 255.0);
                }
            }
        }

        double estimate = NoiseLevel.estimateSigma(PixelImage.fromFloats(width, height, rgb, null, false, 16));

        assertThat(estimate).isCloseTo(sigma, within(Math.max(0.5, sigma * 0.08)));
    }
}
