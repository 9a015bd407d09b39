package io.noise2noise.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noise2noise.image.InvalidImageException.Reason;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;

/**
 * The header probe of a file that is not in memory (a presigned upload): the same answer as the
 * in-memory probe, from the head of the file and what the reader asks for beyond it, never the whole.
 */
class UploadProbeTest {

    private final ImageCodec codec =
            new ImageCodec(ImageLimits.of(Map.of("max-bytes", "64KB", "max-upload-bytes", "64MB")));
    private final ImageCodec inMemory = new ImageCodec(ImageLimits.defaults());

    /** A file served by ranges, counting what was read. */
    private static final class CountingSource implements RangeReader {
        final byte[] file;
        long read;

        CountingSource(byte[] file) {
            this.file = file;
        }

        @Override
        public byte[] read(long offset, int length) {
            int end = (int) Math.min(file.length, offset + length);
            read += end - offset;
            return Arrays.copyOfRange(file, (int) offset, end);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "bmp", "tiff", "gif"})
    void readsTheHeaderOnlyAndAgreesWithTheInMemoryProbe(String format) {
        byte[] file = ImageFiles.write(noise(1400, 1000, format.equals("gif")), format);
        CountingSource source = new CountingSource(file);

        ImageInfo info = codec.probe(file.length, source);

        assertThat(info).isEqualTo(inMemory.probe(file));
        assertThat(file.length).as("the file is bigger than the body limit").isGreaterThan(64 << 10);
        assertThat(source.read)
                .isLessThanOrEqualTo(ImageCodec.UPLOAD_HEAD_BYTES + ImageCodec.UPLOAD_HEADER_BUDGET)
                .isLessThan(file.length);
    }

    @Test
    void findsATiffDirectoryWrittenAfterThePixels() {
        byte[] tiff = greyTiffWithDirectoryLast(1200, 1000, 3);
        CountingSource source = new CountingSource(tiff);

        ImageInfo info = codec.probe(tiff.length, source);

        assertThat(info).isEqualTo(new ImageInfo("tiff", 1200, 1000));
        assertThat(source.read).isLessThan(ImageCodec.UPLOAD_HEAD_BYTES + 2L * RangedImageInputStream.PAGE);
    }

    @Test
    void appliesExifOrientationFromTheHead() {
        byte[] jpeg =
                ImageFiles.withJpegExif(ImageFiles.write(noise(800, 600, false), "jpeg"), ImageFiles.exif(6, "n2n"));

        assertThat(codec.probe(jpeg.length, new CountingSource(jpeg))).isEqualTo(new ImageInfo("jpeg", 600, 800));
    }

    @Test
    void refusesABombFromItsHeader() {
        byte[] bomb = ImageFiles.withPngSize(ImageFiles.write(noise(64, 64, false), "png"), 30_000, 30_000);

        assertThatThrownBy(() -> codec.probe(bomb.length, new CountingSource(bomb)))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS));
    }

    @Test
    void refusesAnOversizedFileWithoutReadingIt() {
        CountingSource source = new CountingSource(new byte[16]);

        assertThatThrownBy(() -> codec.probe(DataSize.ofMegabytes(65).toBytes(), source))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_BYTES));
        assertThat(source.read).isZero();
    }

    @Test
    void refusesTextAndGarbage() {
        byte[] text = "hello, I am not an image".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
        byte[] png = ImageFiles.write(noise(64, 64, false), "png");
        byte[] broken = Arrays.copyOf(png, 400_000);
        Arrays.fill(broken, 12, broken.length, (byte) 7);

        assertThatThrownBy(() -> codec.probe(text.length, new CountingSource(text)))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT));
        assertThatThrownBy(() -> codec.probe(broken.length, new CountingSource(broken)))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT));
    }

    @Test
    void aHeaderBeyondTheBudgetIsRefusedAsCorrupt() {
        byte[] jpeg = ImageFiles.write(noise(64, 64, false), "jpeg");
        byte[] filler = new byte[60_000];
        for (int i = 0; i < 90; i++) {
            jpeg = ImageFiles.withJpegSegment(jpeg, 0xe3, new byte[0], filler);
        }
        CountingSource source = new CountingSource(jpeg);
        long size = jpeg.length;

        assertThatThrownBy(() -> codec.probe(size, source))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT));
        assertThat(source.read).isLessThanOrEqualTo(ImageCodec.UPLOAD_HEAD_BYTES + ImageCodec.UPLOAD_HEADER_BUDGET);
    }

    @Test
    void aFailingSourceIsReportedAsItselfNotAsACorruptImage() {
        byte[] tiff = greyTiffWithDirectoryLast(1200, 1000, 4);
        IllegalStateException down = new IllegalStateException("storage is down");
        RangeReader failing = (offset, length) -> {
            if (offset > 0) {
                throw down;
            }
            return Arrays.copyOfRange(tiff, 0, length);
        };

        assertThatThrownBy(() -> codec.probe(tiff.length, failing)).isSameAs(down);
    }

    private static BufferedImage noise(int width, int height, boolean smooth) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(width * 31L + height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int base = smooth ? (x + y) & 0xff : 0;
                image.setRGB(x, y, smooth ? base * 0x010101 + random.nextInt(16) : random.nextInt(1 << 24));
            }
        }
        return image;
    }

    /** An 8-bit grey TIFF as libtiff writes many: the strip first, the directory after it at the end. */
    private static byte[] greyTiffWithDirectoryLast(int width, int height, long seed) {
        int pixels = width * height;
        int[][] tags = {
            {256, 4, width},
            {257, 4, height},
            {258, 3, 8},
            {259, 3, 1},
            {262, 3, 1},
            {273, 4, 8},
            {277, 3, 1},
            {278, 4, height},
            {279, 4, pixels}
        };
        ByteBuffer file =
                ByteBuffer.allocate(8 + pixels + 2 + tags.length * 12 + 4).order(ByteOrder.LITTLE_ENDIAN);
        file.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8 + pixels);
        byte[] strip = new byte[pixels];
        new Random(seed).nextBytes(strip);
        file.put(strip);
        file.putShort((short) tags.length);
        for (int[] tag : tags) {
            file.putShort((short) tag[0]).putShort((short) tag[1]).putInt(1);
            if (tag[1] == 3) {
                file.putShort((short) tag[2]).putShort((short) 0);
            } else {
                file.putInt(tag[2]);
            }
        }
        file.putInt(0);
        return file.array();
    }
}
