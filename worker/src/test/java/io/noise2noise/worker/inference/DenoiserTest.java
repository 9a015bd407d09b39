package io.noise2noise.worker.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.image.PixelImage;
import io.noise2noise.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The shipped models through the real DJL engines: TensorFlow (SavedModel) and ONNX Runtime (model.onnx). */
class DenoiserTest {

    private static final ImageCodec CODEC = new ImageCodec(ImageLimits.defaults());
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path ZOO = Path.of(System.getProperty("n2n.repo-root", ".."), "models", "zoo");
    /** Results are rounded to the image's bit depth: one level apart is the float difference's rounding. */
    private static final float SIXTEEN_BIT_LEVEL = 1 / 65535f;

    private static final Map<InferenceEngine, ModelRegistry> registries = new EnumMap<>(InferenceEngine.class);

    @BeforeAll
    static void loadModels() {
        for (InferenceEngine engine : InferenceEngine.values()) {
            registries.put(engine, new ModelRegistry(properties(ZOO, engine), MAPPER));
        }
    }

    @AfterAll
    static void close() {
        registries.values().forEach(ModelRegistry::close);
    }

    private static InferenceProperties properties(Path zoo, InferenceEngine engine) {
        return new InferenceProperties(zoo, "gaussian", 1, 2, 512, 32, engine, Map.of(), 1);
    }

    private static DenoisingModel model(InferenceEngine engine) {
        return registries.get(engine).get("gaussian");
    }

    /** A model with a small receptive field (fastdn, 32-pixel overlap): small images still take many tiles. */
    private static DenoisingModel tiledModel(InferenceEngine engine) {
        return registries.get(engine).get("text");
    }

    static Stream<String> zooModels() throws IOException {
        try (Stream<Path> dirs = Files.list(ZOO)) {
            return dirs
                    .filter(dir -> Files.isRegularFile(dir.resolve("model.json")))
                    .map(dir -> dir.getFileName().toString())
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("zooModels")
    void everyShippedModelRunsOnBothEnginesWithTheSameOutput(String name) {
        for (InferenceEngine engine : InferenceEngine.values()) {
            assertThat(registries.get(engine).get(name).engine())
                    .as("%s's model.onnx must be current (re-run n2n-models export-onnx after a new SavedModel)", name)
                    .isEqualTo(engine);
        }
        PixelImage pixels = noisyPixels(300, 200, 19);

        float[] tensorflow = new Denoiser(128, 32, 2)
                .denoise(pixels, registries.get(InferenceEngine.TENSORFLOW).get(name), 1.0)
                .toFloatRgb();
        float[] onnx = new Denoiser(128, 32, 2)
                .denoise(pixels, registries.get(InferenceEngine.ONNXRUNTIME).get(name), 1.0)
                .toFloatRgb();

        assertThat(worst(tensorflow, onnx)).isLessThanOrEqualTo(1e-4f + SIXTEEN_BIT_LEVEL);
        assertThat(worst(tensorflow, pixels.toFloatRgb()))
                .as("the model changes the image")
                .isGreaterThan(0.01f);
    }

    @ParameterizedTest
    @EnumSource(InferenceEngine.class)
    void aGreyModelDenoisesEachColourPlane(InferenceEngine engine) {
        DenoisingModel grey = registries.get(engine).get("grey-gaussian");
        assertThat(grey.card().channels()).isEqualTo(1);
        BufferedImage clean = TestImages.scene(192, 128, 21);
        BufferedImage noisy = TestImages.withGaussianNoise(clean, 25, 22);

        BufferedImage denoised = denoise(new Denoiser(512, 32), grey, noisy, 1.0);

        double before = TestImages.psnr(clean, noisy);
        assertThat(TestImages.psnr(clean, denoised))
                .as("vs %.2f dB noisy", before)
                .isGreaterThan(before + 4);
    }

    @Test
    void colourPlanesRoundTrip() {
        float[] rgb = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; // two tiles of two RGB pixels

        float[] planes = DenoisingModel.toPlanes(rgb, 2, 2);

        assertThat(planes).containsExactly(1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12);
        assertThat(DenoisingModel.toInterleaved(planes, 2, 2)).containsExactly(rgb);
    }

    @ParameterizedTest
    @EnumSource(InferenceEngine.class)
    void denoisingRaisesPsnrOnGaussianNoise(InferenceEngine engine) {
        BufferedImage clean = TestImages.scene(192, 128, 11);
        BufferedImage noisy = TestImages.withGaussianNoise(clean, 25, 12);

        BufferedImage denoised = denoise(new Denoiser(512, 32), model(engine), noisy, 1.0);

        double before = TestImages.psnr(clean, noisy);
        assertThat(TestImages.psnr(clean, denoised))
                .as("vs %.2f dB noisy", before)
                .isGreaterThan(before + 4);
    }

    @ParameterizedTest
    @EnumSource(InferenceEngine.class)
    void strengthZeroGivesBackTheInputAndOddSizesKeepTheirSize(InferenceEngine engine) {
        BufferedImage noisy = TestImages.withGaussianNoise(TestImages.scene(37, 21, 13), 25, 14);

        BufferedImage unchanged = denoise(new Denoiser(512, 32), model(engine), noisy, 0.0);
        BufferedImage denoised = denoise(new Denoiser(512, 32), model(engine), noisy, 1.0);

        assertThat(unchanged.getRGB(0, 0, 37, 21, null, 0, 37)).isEqualTo(noisy.getRGB(0, 0, 37, 21, null, 0, 37));
        assertThat(new int[] {denoised.getWidth(), denoised.getHeight()}).containsExactly(37, 21);
    }

    @ParameterizedTest
    @EnumSource(InferenceEngine.class)
    void tiledOutputMatchesUntiledOutputForASmallReceptiveField(InferenceEngine engine) {
        PixelImage pixels = noisyPixels(300, 200, 15);
        DenoisingModel fastdn = tiledModel(engine);

        float[] whole = new Denoiser(512, 32).denoise(pixels, fastdn, 1.0).toFloatRgb();
        float[] tiled = new Denoiser(128, 32).denoise(pixels, fastdn, 1.0).toFloatRgb();

        assertThat(worstClipped(whole, tiled) * 255)
                .as("largest difference in 8-bit levels")
                .isLessThanOrEqualTo(1.0f);
    }

    /**
     * The default model (a U-Net body) sees far beyond the configured 32-pixel overlap: its card asks
     * for more context, which the denoiser gives it (and tiles of at least four overlaps), so tiled
     * output still matches untiled output.
     */
    @ParameterizedTest
    @EnumSource(InferenceEngine.class)
    void tiledOutputMatchesUntiledOutputWithTheOverlapTheModelAsksFor(InferenceEngine engine) {
        DenoisingModel model = model(engine);
        assertThat(model.card().tileOverlap()).isGreaterThan(32);
        PixelImage pixels = noisyPixels(1100, 260, 25);
        Denoiser configured = new Denoiser(128, 32);
        assertThat(configured.tileCount(pixels, model))
                .as("tiles across the width")
                .isEqualTo(2);

        float[] whole = new Denoiser(2048, 32).denoise(pixels, model, 1.0).toFloatRgb();
        float[] tiled = configured.denoise(pixels, model, 1.0).toFloatRgb();

        assertThat(worstClipped(whole, tiled) * 255)
                .as("largest difference in 8-bit levels")
                .isLessThanOrEqualTo(1.0f);
    }

    @ParameterizedTest
    @EnumSource(InferenceEngine.class)
    void batchedTilesGiveTheSameOutputAsOneTileAtATime(InferenceEngine engine) {
        PixelImage pixels = noisyPixels(301, 203, 17);
        List<int[]> progress = new ArrayList<>();

        float[] single =
                new Denoiser(128, 32).denoise(pixels, tiledModel(engine), 0.7).toFloatRgb();
        float[] batched = new Denoiser(128, 32, 4)
                .denoise(pixels, tiledModel(engine), 0.7, (done, total) -> progress.add(new int[] {done, total}))
                .toFloatRgb();

        assertThat(worst(single, batched)).isLessThanOrEqualTo(1e-5f + SIXTEEN_BIT_LEVEL);
        int tiles = new Denoiser(128, 32).tileCount(pixels, tiledModel(engine));
        assertThat(progress).hasSize(tiles);
        assertThat(progress.get(tiles - 1)).containsExactly(tiles, tiles);
    }

    @Test
    void inPlaceGivesTheSameOutputInTheInputsOwnSamples() {
        PixelImage pixels = noisyPixels(301, 203, 21);
        PixelImage copy = new Denoiser(128, 32, 3).denoise(pixels, tiledModel(InferenceEngine.TENSORFLOW), 0.6);
        PixelImage original = pixels.copy();

        PixelImage result = new Denoiser(128, 32, 3)
                .denoiseInPlace(pixels, tiledModel(InferenceEngine.TENSORFLOW), 0.6, Denoiser.TileListener.NONE);

        assertThat(result).isSameAs(pixels);
        assertThat(result.samePixels(copy)).isTrue();
        assertThat(original.samePixels(copy)).isFalse();
    }

    @Test
    void balancedTilesKeepTheTileCountAndStayWithinTheTileSize() {
        PixelImage justOver = noisyPixels(775, 517, 23);
        List<int[]> progress = new ArrayList<>();

        new Denoiser(512, 32)
                .denoise(
                        justOver,
                        tiledModel(InferenceEngine.TENSORFLOW),
                        1.0,
                        (done, total) -> progress.add(new int[] {done, total}));

        assertThat(new Denoiser(512, 32).tileCount(justOver, tiledModel(InferenceEngine.TENSORFLOW)))
                .isEqualTo(4);
        assertThat(progress).hasSize(4);
    }

    private static PixelImage noisyPixels(int width, int height, int seed) {
        BufferedImage noisy = TestImages.withGaussianNoise(TestImages.scene(width, height, seed), 25, seed + 1);
        PixelImage decoded = CODEC.decode(TestImages.encode(noisy, "png"));
        return PixelImage.fromFloats(width, height, decoded.toFloatRgb(), null, false, 16);
    }

    private static float worst(float[] a, float[] b) {
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    private static float worstClipped(float[] a, float[] b) {
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(Math.min(1, Math.max(0, a[i])) - Math.min(1, Math.max(0, b[i]))));
        }
        return worst;
    }

    private static BufferedImage denoise(
            Denoiser denoiser, DenoisingModel model, BufferedImage image, double strength) {
        PixelImage pixels = CODEC.decode(TestImages.encode(image, "png"));
        return TestImages.decode(CODEC.encode(denoiser.denoise(pixels, model, strength), "png"));
    }
}
