package io.noise2noise.worker.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.noise2noise.image.PixelImage;
import io.noise2noise.testing.TestImages;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The choice on images made here with known, seeded noise: a photograph-like scene (smooth gradients,
 * flat shapes, edges) with each kind of noise the candidates were trained for.
 */
class ModelChooserTest {

    private static final int WIDTH = 384;
    private static final int HEIGHT = 320;
    private static final Set<String> ALL = Set.of("gaussian", "camera", "poisson", "impulse", "text");

    private final ModelChooser chooser = new ModelChooser(ALL);

    /** The scene's samples, interleaved RGB on the 0–255 scale. */
    private static double[] scene(long seed) {
        BufferedImage image = TestImages.scene(WIDTH, HEIGHT, seed);
        double[] rgb = new double[WIDTH * HEIGHT * 3];
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int p = image.getRGB(x, y);
                int i = 3 * (y * WIDTH + x);
                rgb[i] = (p >> 16) & 0xff;
                rgb[i + 1] = (p >> 8) & 0xff;
                rgb[i + 2] = p & 0xff;
            }
        }
        return rgb;
    }

    /** Rounded and clipped to 8 bits, as a noisy image is saved. */
    private static PixelImage image(double[] rgb) {
        float[] unit = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            unit[i] = (float) (rgb[i] / 255.0);
        }
        return PixelImage.fromFloats(WIDTH, HEIGHT, unit, null, false);
    }

    private static PixelImage gaussian(double sigma, long seed) {
        double[] rgb = scene(seed);
        Random random = new Random(seed);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] += random.nextGaussian() * sigma;
        }
        return image(rgb);
    }

    /** Noise blurred by a [1 2 1]² kernel twice (as demosaicing and in-camera processing spread it), scaled to {@code sigma}. */
    private static PixelImage correlated(double sigma, long seed) {
        double[] rgb = scene(seed);
        Random random = new Random(seed);
        double[] noise = new double[rgb.length];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = random.nextGaussian();
        }
        for (int pass = 0; pass < 2; pass++) {
            noise = blur(noise);
        }
        double sumOfSquares = 0;
        for (double n : noise) {
            sumOfSquares += n * n;
        }
        double scale = sigma / Math.sqrt(sumOfSquares / noise.length);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] += noise[i] * scale;
        }
        return image(rgb);
    }

    private static double[] blur(double[] in) {
        double[] out = new double[in.length];
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                for (int c = 0; c < 3; c++) {
                    double sum = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int sx = Math.min(WIDTH - 1, Math.max(0, x + dx));
                            int sy = Math.min(HEIGHT - 1, Math.max(0, y + dy));
                            sum += (2 - Math.abs(dx)) * (2 - Math.abs(dy)) * in[3 * (sy * WIDTH + sx) + c];
                        }
                    }
                    out[3 * (y * WIDTH + x) + c] = sum / 16;
                }
            }
        }
        return out;
    }

    /** Shot noise: {@code Poisson(λ·x/255)·255/λ} per sample. */
    private static PixelImage poisson(double lambda, long seed) {
        double[] rgb = scene(seed);
        Random random = new Random(seed);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = poissonSample(random, lambda * rgb[i] / 255.0) * 255.0 / lambda;
        }
        return image(rgb);
    }

    private static int poissonSample(Random random, double mean) {
        // Knuth's product of uniforms: means here stay below 60
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            product *= random.nextDouble();
            count++;
        }
        return count;
    }

    /** {@code percent} of the pixels (all channels together) replaced by uniform random values. */
    private static PixelImage impulse(double percent, long seed) {
        double[] rgb = scene(seed);
        Random random = new Random(seed);
        for (int p = 0; p < WIDTH * HEIGHT; p++) {
            if (random.nextDouble() < percent / 100) {
                for (int c = 0; c < 3; c++) {
                    rgb[3 * p + c] = random.nextInt(256);
                }
            }
        }
        return image(rgb);
    }

    /**
     * A text-like overlay without fonts: short one- and two-pixel strokes, each string of them in one
     * random colour, until about {@code percent} of the pixels are covered.
     */
    private static PixelImage strokes(double percent, long seed) {
        double[] rgb = scene(seed);
        Random random = new Random(seed);
        long covered = 0;
        while (covered < percent / 100 * WIDTH * HEIGHT) {
            int[] colour = {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
            int x0 = random.nextInt(WIDTH - 40);
            int y0 = random.nextInt(HEIGHT - 12);
            int thickness = 1 + random.nextInt(2);
            for (int glyph = 0; glyph < 6; glyph++) {
                int gx = x0 + glyph * 6;
                boolean vertical = random.nextBoolean();
                int length = 5 + random.nextInt(6);
                for (int s = 0; s < length; s++) {
                    for (int t = 0; t < thickness; t++) {
                        int x = vertical ? gx + t : gx + s % 5;
                        int y = vertical ? y0 + s : y0 + 2 * (s / 5) + t;
                        int i = 3 * (y * WIDTH + x);
                        for (int c = 0; c < 3; c++) {
                            rgb[i + c] = colour[c];
                        }
                        covered++;
                    }
                }
            }
        }
        return image(rgb);
    }

    @ParameterizedTest
    @ValueSource(doubles = {5, 15, 30, 50})
    void independentNoiseOfEvenStrengthGetsTheGaussianModelAndItsSigmaIsMeasured(double sigma) {
        ModelChooser.Choice choice = chooser.choose(gaussian(sigma, 3));

        assertThat(choice.model()).isEqualTo("gaussian");
        assertThat(choice.noise()).isEqualTo("gaussian");
        // clipping at 0 and 255 takes a little of the strongest noise away
        for (double channel : choice.features().sigma()) {
            assertThat(channel).isCloseTo(sigma, within(0.5 + 0.1 * sigma));
        }
        assertThat(choice.features().averagingRatio()).isCloseTo(1.0, within(0.2));
        assertThat(choice.features().signalDependence()).isLessThan(0.3);
        assertThat(choice.reason())
                .startsWith("auto: gaussian — independent noise")
                .contains(String.format(
                        Locale.ROOT, "noise sd %.1f", choice.features().meanSigma()));
    }

    @ParameterizedTest
    @ValueSource(doubles = {3, 8, 20})
    void spatiallyCorrelatedNoiseGetsTheCameraModel(double sigma) {
        ModelChooser.Choice choice = chooser.choose(correlated(sigma, 5));

        assertThat(choice.model()).isEqualTo("camera");
        assertThat(choice.features().averagingRatio()).isGreaterThan(2);
        assertThat(choice.reason()).startsWith("auto: camera — noise correlated between neighbouring pixels");
    }

    @ParameterizedTest
    @ValueSource(doubles = {5, 15, 40})
    void noiseGrowingWithBrightnessGetsThePoissonModel(double lambda) {
        ModelChooser.Choice choice = chooser.choose(poisson(lambda, 7));

        assertThat(choice.model()).isEqualTo("poisson");
        assertThat(choice.features().signalDependence()).isGreaterThan(0.45);
    }

    @ParameterizedTest
    @ValueSource(doubles = {5, 20, 50})
    void randomImpulsesGetTheImpulseModel(double percent) {
        ModelChooser.Choice choice = chooser.choose(impulse(percent, 11));

        assertThat(choice.model()).isEqualTo("impulse");
        assertThat(choice.features().farOutliers()).isGreaterThan(percent / 100 * 0.3);
    }

    @ParameterizedTest
    @ValueSource(doubles = {5, 20})
    void oneColouredStrokesGetTheTextModel(double percent) {
        ModelChooser.Choice choice = chooser.choose(strokes(percent, 13));

        assertThat(choice.model()).isEqualTo("text");
        assertThat(choice.features().outlierRepeats()).isGreaterThan(0.3);
    }

    @Test
    void aCleanImageGetsTheGaussianModelAndTheReasonSaysItLooksClean() {
        ModelChooser.Choice choice = chooser.choose(image(scene(17)));

        assertThat(choice.model()).isEqualTo("gaussian");
        assertThat(choice.noise()).isEqualTo("clean");
        assertThat(choice.features().meanSigma()).isLessThan(1);
        assertThat(choice.reason()).startsWith("auto: gaussian — looks clean");
    }

    @Test
    void aKindWhoseModelIsNotLoadedFallsBackToGaussianAndTheReasonSaysSo() {
        ModelChooser withoutCamera = new ModelChooser(Set.of("gaussian", "poisson", "impulse", "text"));

        ModelChooser.Choice choice = withoutCamera.choose(correlated(8, 5));

        assertThat(choice.model()).isEqualTo("gaussian");
        assertThat(choice.noise()).isEqualTo("camera");
        assertThat(choice.reason())
                .startsWith("auto: gaussian — noise correlated between neighbouring pixels")
                .contains("suited to 'camera', which this worker has not loaded");
        assertThat(withoutCamera.catalogueCard().candidates())
                .containsExactly("impulse", "text", "poisson", "gaussian");
        assertThat(withoutCamera.catalogueCard().notes()).contains("camera (not loaded here) get gaussian");
    }

    @Test
    void choosingNeedsTheGaussianModel() {
        assertThat(ModelChooser.canChoose(Set.of("text", "impulse"))).isFalse();
        assertThatThrownBy(() -> new ModelChooser(Set.of("text"))).hasMessageContaining("needs the 'gaussian' model");
    }

    @Test
    void theMeasurementReadsABoundedSampleOfABigImage() {
        int width = 4000;
        int height = 3000;
        float[] rgb = new float[width * height * 3];
        Random random = new Random(19);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (float) (0.5 + random.nextGaussian() * 10 / 255);
        }

        NoiseFeatures features = NoiseFeatures.of(PixelImage.fromFloats(width, height, rgb, null, false));

        assertThat(features.sampledPixels())
                .isEqualTo((long) NoiseFeatures.MAX_WINDOWS * NoiseFeatures.WINDOW * NoiseFeatures.WINDOW);
        assertThat(features.meanSigma()).isCloseTo(10, within(1.0));
    }

    @Test
    void anImageTooSmallToMeasureLooksClean() {
        PixelImage tiny = PixelImage.fromFloats(5, 4, new float[5 * 4 * 3], null, false);

        assertThat(chooser.choose(tiny).noise()).isEqualTo("clean");
    }
}
