package io.noise2noise.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 6000×4000 (24 MP) RGB image goes through the worker's image path — decode, a
 * pass over every row as the denoiser makes it (read as floats, written back), encode — in a JVM of
 * its own with a 200 MB heap. Held as floats the pixels alone would need 288 MB; at their own 8 bits
 * they need 72 MB, and the decoded raster is the image itself, not a copy of it.
 */
class LargeImageRoundTripTest {

    private static final int WIDTH = 6000;
    private static final int HEIGHT = 4000;
    private static final ImageCodec CODEC = new ImageCodec(ImageLimits.defaults());

    @Test
    void aTwentyFourMegapixelImageRoundTripsInASmallHeap(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("large.png");
        Path output = dir.resolve("out.png");
        Files.write(input, CODEC.encode(pattern(), "png"));

        Process child = new ProcessBuilder(
                        javaBin(),
                        "-Xmx200m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-cp",
                        System.getProperty("java.class.path"),
                        RoundTrip.class.getName(),
                        input.toString(),
                        output.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(child.exitValue()).as(log).isZero();
        PixelImage result = CODEC.decode(Files.readAllBytes(output));
        assertThat(result.width()).isEqualTo(WIDTH);
        assertThat(result.height()).isEqualTo(HEIGHT);
        for (int y = 0; y < HEIGHT; y += 397) {
            for (int x = 0; x < WIDTH; x += 613) {
                int at = 3 * (y * WIDTH + x);
                // the child inverted every sample
                assertThat(255 - result.get(at)).isEqualTo(red(x, y));
                assertThat(255 - result.get(at + 1)).isEqualTo(green(x, y));
                assertThat(255 - result.get(at + 2)).isEqualTo(blue(x, y));
            }
        }
    }

    /** Gradients with a fine texture: cheap to compress, but every sample matters. */
    private static PixelImage pattern() {
        PixelImage image = PixelImage.blank(WIDTH, HEIGHT, false, false, 8, null);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int at = 3 * (y * WIDTH + x);
                image.set(at, red(x, y));
                image.set(at + 1, green(x, y));
                image.set(at + 2, blue(x, y));
            }
        }
        return image;
    }

    private static int red(int x, int y) {
        return (x * 255 / (WIDTH - 1) + (x ^ y) % 7) & 0xff;
    }

    private static int green(int x, int y) {
        return (y * 255 / (HEIGHT - 1) + (x + y) % 5) & 0xff;
    }

    private static int blue(int x, int y) {
        return ((x + y) / 40) & 0xff;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The child: the worker's steps on a file, with the JobProcessor's order and the Denoiser's row access. */
    public static final class RoundTrip {

        public static void main(String[] args) throws IOException {
            ImageCodec codec = new ImageCodec(ImageLimits.of(Map.of("max-bytes", "64MB", "max-upload-bytes", "64MB")));
            PixelImage image = codec.decode(Files.readAllBytes(Path.of(args[0])));
            float[] row = new float[3 * image.width()];
            for (int y = 0; y < image.height(); y++) {
                image.readRgb(0, y, image.width(), row, 0);
                for (int i = 0; i < row.length; i++) {
                    row[i] = 1f - row[i];
                }
                image.writeRgb(0, y, image.width(), row, 0);
            }
            Files.write(
                    Path.of(args[1]),
                    codec.encode(image, OutputOptions.sameFormat()).data());
            System.out.println("heap max " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
        }
    }
}
