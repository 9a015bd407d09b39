package io.noise2noise.worker.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.noise2noise.image.PixelImage;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The noise σ every job reports (what the model choice rests on is in {@link ModelChooserTest}). */
class NoiseFeaturesTest {

    /** 16-bit samples: σ is still on the 0–255 scale; a smooth image without noise measures about 0. */
    @ParameterizedTest
    @ValueSource(doubles = {0, 10, 25, 50})
    void measuresTheSigmaOfGaussianNoiseAddedToA16BitImage(double sigma) {
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

        NoiseFeatures features = NoiseFeatures.of(PixelImage.fromFloats(width, height, rgb, null, false, 16));

        // clipping at 0 and 255 takes a little of the strongest noise away
        assertThat(features.meanSigma()).isCloseTo(sigma, within(Math.max(0.5, sigma * 0.08)));
        assertThat(features.sampledPixels()).isEqualTo((long) width * height);
    }
}
