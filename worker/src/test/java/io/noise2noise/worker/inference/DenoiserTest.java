package io.noise2noise.worker.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.image.PixelImage;
import io.noise2noise.testing.TestImages;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped default model through the real DJL TensorFlow engine. */
class DenoiserTest {

    private static final ImageCodec CODEC = new ImageCodec(ImageLimits.defaults());
    private static ModelRegistry registry;
    private static DenoisingModel model;

    @BeforeAll
    static void loadModels() {
        String root = System.getProperty("n2n.repo-root", "..");
        InferenceProperties properties = new InferenceProperties(Path.of(root, "models", "zoo"),
                "gaussian-interim", 1, 2, 512, 32);
        registry = new ModelRegistry(properties, new ObjectMapper());
        model = registry.get(null);
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    @Test
    void denoisingRaisesPsnrOnGaussianNoise() {
        BufferedImage clean = TestImages.scene(192, 128, 11);
        BufferedImage noisy = TestImages.withGaussianNoise(clean, 25, 12);

        BufferedImage denoised = denoise(new Denoiser(512, 32), noisy, 1.0);

        double before = TestImages.psnr(clean, noisy);
        assertThat(TestImages.psnr(clean, denoised)).as("vs %.2f dB noisy", before).isGreaterThan(before + 4);
    }

    @Test
    void strengthZeroGivesBackTheInputAndOddSizesKeepTheirSize() {
        BufferedImage noisy = TestImages.withGaussianNoise(TestImages.scene(37, 21, 13), 25, 14);

        BufferedImage unchanged = denoise(new Denoiser(512, 32), noisy, 0.0);
        BufferedImage denoised = denoise(new Denoiser(512, 32), noisy, 1.0);

        assertThat(unchanged.getRGB(0, 0, 37, 21, null, 0, 37)).isEqualTo(noisy.getRGB(0, 0, 37, 21, null, 0, 37));
        assertThat(new int[] {denoised.getWidth(), denoised.getHeight()}).containsExactly(37, 21);
    }

    @Test
    void tiledOutputMatchesUntiledOutput() {
        BufferedImage noisy = TestImages.withGaussianNoise(TestImages.scene(300, 200, 15), 25, 16);
        PixelImage pixels = CODEC.decode(TestImages.encode(noisy, "png"));

        float[] whole = new Denoiser(512, 32).denoise(pixels, model, 1.0).rgb();
        float[] tiled = new Denoiser(128, 32).denoise(pixels, model, 1.0).rgb();

        float worst = 0;
        for (int i = 0; i < whole.length; i++) {
            worst = Math.max(worst, Math.abs(Math.min(1, Math.max(0, whole[i])) - Math.min(1, Math.max(0, tiled[i]))));
        }
        assertThat(worst * 255).as("largest difference in 8-bit levels").isLessThanOrEqualTo(1.0f);
    }

    @Test
    void unknownModelNamesTheAvailableOnes() {
        assertThatThrownBy(() -> registry.get("nope"))
                .isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("gaussian-interim");
    }

    private static BufferedImage denoise(Denoiser denoiser, BufferedImage image, double strength) {
        PixelImage pixels = CODEC.decode(TestImages.encode(image, "png"));
        return TestImages.decode(CODEC.encode(denoiser.denoise(pixels, model, strength), "png"));
    }
}
