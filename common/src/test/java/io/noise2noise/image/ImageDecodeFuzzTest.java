package io.noise2noise.image;

import static io.noise2noise.image.ImageFiles.gradient;
import static io.noise2noise.image.ImageFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Mutates small real files of every format (bit flips, byte insertions and deletions, truncations,
 * header fields set to extreme values) and decodes each: it must decode or be refused with an
 * {@link InvalidImageException} — no other exception, no hang. Seeded, so a failure reproduces;
 * {@code -Dn2n.fuzz.seed=...} and {@code -Dn2n.fuzz.inputs=...} explore further.
 */
class ImageDecodeFuzzTest {

    private static final long SEED = Long.getLong("n2n.fuzz.seed", 20_240_611L);
    private static final int INPUTS = Integer.getInteger("n2n.fuzz.inputs", 12_000);
    private static final long TIMEOUT_SECONDS = 5;
    private static final int[] EXTREMES = {0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe};
    private static final long MAX_PIXELS = 2_000_000;
    /** Generous for MAX_PIXELS (16-bit RGBA raster, floats, the written copy); a header-declared 2 GB buffer is far over. */
    private static final long MAX_ALLOCATION = 512L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Small limits: a mutated header may declare anything up to the limit, and the test heap is small. */
    private final ImageCodec codec = new ImageCodec(ImageLimits.of(Map.of("max-pixels", String.valueOf(MAX_PIXELS))));

    @Test
    void everyMutatedFileDecodesOrIsRefusedAsInvalid() throws Exception {
        Map<String, byte[]> seeds = seedFiles();
        List<String> names = new ArrayList<>(seeds.keySet());
        Random random = new Random(SEED);
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> escapes = new ArrayList<>();
        ExecutorService executor = newExecutor();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < INPUTS; i++) {
                String name = names.get(i % names.size());
                byte[] input = mutate(seeds.get(name), random);
                Future<String> outcome = executor.submit(() -> decodeOutcome(input));
                try {
                    outcomes.merge(outcome.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), 1, Integer::sum);
                } catch (TimeoutException e) {
                    escapes.add("#" + i + " from " + name + ": no answer in " + TIMEOUT_SECONDS + " s ("
                            + save(i, input) + ")");
                    executor.shutdownNow();
                    executor = newExecutor();
                } catch (ExecutionException e) {
                    escapes.add("#" + i + " from " + name + ": " + e.getCause() + " (" + save(i, input) + ")");
                }
            }
        } finally {
            executor.shutdownNow();
        }
        System.out.printf(
                "fuzzed %d inputs from %d seed files in %.1f s: %s%n",
                INPUTS, seeds.size(), (System.nanoTime() - started) / 1e9, outcomes);

        assertThat(escapes)
                .as("inputs that escaped as something other than InvalidImageException")
                .isEmpty();
        assertThat(outcomes.getOrDefault("decoded", 0))
                .as("mutations that still decode")
                .isPositive();
        assertThat(outcomes.keySet().stream()
                        .filter(k -> k.startsWith("refused"))
                        .count())
                .isPositive();
    }

    /**
     * "decoded", or "refused: REASON"; anything else thrown propagates and counts as an escape, and
     * so does a decode that allocates far more than its largest allowed image needs.
     */
    private String decodeOutcome(byte[] input) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        String outcome;
        try {
            codec.probe(input);
            PixelImage image = codec.decode(input);
            // what decodes must also be writable
            codec.encode(image, OutputOptions.sameFormat());
            outcome = "decoded";
        } catch (InvalidImageException e) {
            outcome = "refused: " + e.reason();
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        if (allocated > MAX_ALLOCATION) {
            throw new IllegalStateException(outcome + " after allocating " + (allocated >> 20) + " MB");
        }
        return outcome;
    }

    static Map<String, byte[]> seedFiles() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        BufferedImage rgb = gradient(24, 16, BufferedImage.TYPE_INT_RGB);
        BufferedImage grey = gradient(24, 16, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage argb = gradient(24, 16, BufferedImage.TYPE_INT_ARGB);
        byte[] exif = ImageFiles.exif(6, "N2N");
        byte[] icc = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        int[] colours = new int[20];
        for (int i = 0; i < colours.length; i++) {
            colours[i] = i * 0x0c0b0a;
        }
        for (String format : new String[] {"png", "jpeg", "bmp", "gif", "tiff"}) {
            seeds.put(format + " rgb", write(rgb, format));
            seeds.put(format + " grey", write(grey, format));
        }
        seeds.put("png rgba", write(argb, "png"));
        seeds.put("png 16-bit grey+alpha", write(ImageFiles.sixteenBit(12, 8, true, true), "png"));
        seeds.put("png 16-bit rgb", write(ImageFiles.sixteenBit(12, 8, false, false), "png"));
        seeds.put("png palette", write(ImageFiles.palette(24, 16, colours, 3), "png"));
        seeds.put("png exif+icc", ImageFiles.withPngIcc(ImageFiles.withPngChunk(write(rgb, "png"), "eXIf", exif), icc));
        seeds.put(
                "jpeg exif+icc",
                ImageFiles.withJpegSegment(
                        ImageFiles.withJpegExif(write(rgb, "jpeg"), exif),
                        0xe2,
                        "ICC_PROFILE\0\1\1".getBytes(StandardCharsets.ISO_8859_1),
                        icc));
        seeds.put("jpeg cmyk", ImageFiles.writeWithFirstWriter(cmyk(), "jpeg"));
        seeds.put("gif transparent palette", write(ImageFiles.palette(24, 16, colours, 3), "gif"));
        seeds.put("bmp palette", write(ImageFiles.palette(24, 16, colours, -1), "bmp"));
        seeds.put("tiff 16-bit rgba", write(ImageFiles.sixteenBit(12, 8, false, true), "tiff"));
        seeds.put("tiff tiled", ImageFiles.writeTiledTiff(gradient(40, 40, BufferedImage.TYPE_INT_RGB), 16));
        seeds.put("tiff cmyk", ImageFiles.writeWithFirstWriter(cmyk(), "tiff"));
        seeds.put("tiff icc+orientation", ImageFiles.writeTiff(rgb, icc, 8));
        seeds.put(
                "webp lossless",
                ImageFiles.losslessWebp(24, 16, false, 7, null, null).bytes());
        seeds.put(
                "webp lossless alpha",
                ImageFiles.losslessWebp(24, 16, true, 8, null, null).bytes());
        seeds.put(
                "webp extended exif+icc",
                ImageFiles.losslessWebp(24, 16, true, 9, icc, exif).bytes());
        return seeds;
    }

    private static BufferedImage cmyk() {
        ColorSpace space = com.twelvemonkeys.imageio.color.ColorSpaces.getColorSpace(
                com.twelvemonkeys.imageio.color.ColorSpaces.CS_GENERIC_CMYK);
        ColorModel model = new ComponentColorModel(space, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        BufferedImage image = new BufferedImage(model, model.createCompatibleWritableRaster(16, 8), false, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                image.getRaster().setPixel(x, y, new int[] {x * 16, y * 32, 128, 20});
            }
        }
        return image;
    }

    /** One to three random edits; header edits favour the first 64 bytes, where sizes and offsets live. */
    static byte[] mutate(byte[] seed, Random random) {
        byte[] data = seed.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && data.length > 0; e++) {
            int at = random.nextInt(data.length);
            switch (random.nextInt(6)) {
                case 0 -> data[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> {
                    int header = random.nextInt(Math.min(64, data.length));
                    int width = 1 + random.nextInt(4);
                    for (int i = header; i < Math.min(data.length, header + width); i++) {
                        data[i] = (byte) EXTREMES[random.nextInt(EXTREMES.length)];
                    }
                }
                case 2 -> {
                    byte[] inserted = new byte[1 + random.nextInt(16)];
                    random.nextBytes(inserted);
                    data = splice(data, at, 0, inserted);
                }
                case 3 -> data = splice(data, at, Math.min(data.length - at, 1 + random.nextInt(32)), new byte[0]);
                case 4 -> data = Arrays.copyOf(data, at);
                default -> data[at] = (byte) random.nextInt(256);
            }
        }
        return data;
    }

    private static byte[] splice(byte[] data, int at, int removed, byte[] inserted) {
        byte[] out = new byte[data.length - removed + inserted.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(data, at + removed, out, at + inserted.length, data.length - at - removed);
        return out;
    }

    private static ExecutorService newExecutor() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fuzz-decode");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Keeps a failing input to reproduce it. */
    private static String save(int index, byte[] input) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "fuzz-failures"));
            return Files.write(dir.resolve("input-" + SEED + "-" + index + ".bin"), input)
                    .toString();
        } catch (IOException e) {
            return "not saved: " + e.getMessage();
        }
    }
}
