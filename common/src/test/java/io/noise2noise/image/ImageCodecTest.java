package io.noise2noise.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noise2noise.image.InvalidImageException.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class ImageCodecTest {

    private final ImageCodec codec = new ImageCodec(ImageLimits.defaults());

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "bmp", "gif"})
    void probesAndRoundTripsEachFormatAtItsSize(String format) throws IOException {
        byte[] bytes = write(gradient(37, 23, BufferedImage.TYPE_INT_RGB), format);

        ImageInfo info = codec.probe(bytes);
        PixelImage pixels = codec.decode(bytes);
        byte[] again = codec.encode(pixels, format);

        assertThat(info).isEqualTo(new ImageInfo(format, 37, 23));
        assertThat(codec.probe(again)).isEqualTo(info);
        assertThat(pixels.grey()).isFalse();
        assertThat(pixels.alpha()).isNull();
    }

    @Test
    void pngRoundTripIsLossless() throws IOException {
        BufferedImage source = gradient(40, 30, BufferedImage.TYPE_INT_RGB);

        BufferedImage back = ImageIO.read(new java.io.ByteArrayInputStream(
                codec.encode(codec.decode(write(source, "png")), "png")));

        assertThat(back.getRGB(0, 0, 40, 30, null, 0, 40)).isEqualTo(source.getRGB(0, 0, 40, 30, null, 0, 40));
    }

    @Test
    void greyStaysGreyAndAlphaIsPassedThroughUntouched() throws IOException {
        PixelImage grey = codec.decode(write(gradient(16, 16, BufferedImage.TYPE_BYTE_GRAY), "png"));
        BufferedImage translucent = gradient(16, 16, BufferedImage.TYPE_INT_ARGB);
        translucent.setRGB(3, 4, 0x40_11_22_33);
        PixelImage withAlpha = codec.decode(write(translucent, "png"));

        BufferedImage greyOut = ImageIO.read(new java.io.ByteArrayInputStream(codec.encode(grey, "png")));
        BufferedImage alphaOut = ImageIO.read(new java.io.ByteArrayInputStream(codec.encode(withAlpha, "png")));

        assertThat(grey.grey()).isTrue();
        assertThat(greyOut.getColorModel().getNumComponents()).isEqualTo(1);
        assertThat(alphaOut.getColorModel().hasAlpha()).isTrue();
        assertThat(alphaOut.getRGB(3, 4) >>> 24).isEqualTo(0x40);
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() throws IOException {
        byte[] bomb = withPngSize(write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "png"), 30_000, 30_000);

        assertThatThrownBy(() -> codec.decode(bomb))
                .isInstanceOfSatisfying(InvalidImageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS))
                .hasMessageContaining("30000x30000");
    }

    @Test
    void truncatedImageIsCorrupt() throws IOException {
        byte[] png = write(gradient(64, 64, BufferedImage.TYPE_INT_RGB), "png");
        byte[] truncated = Arrays.copyOf(png, png.length / 2);

        assertThatThrownBy(() -> codec.decode(truncated))
                .isInstanceOfSatisfying(InvalidImageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT));
    }

    @Test
    void refusesWhatIsNotAnAcceptedImage() throws IOException {
        ImageCodec pngOnly = new ImageCodec(new ImageLimits(DataSize.ofKilobytes(1), 100, Set.of("png")));
        byte[] jpeg = write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "jpeg");

        assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessage("image is empty");
        assertThatThrownBy(() -> codec.decode("{\"hello\": 1}".getBytes()))
                .isInstanceOfSatisfying(InvalidImageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT));
        assertThatThrownBy(() -> pngOnly.probe(jpeg)).hasMessageContaining("format jpeg is not accepted");
        assertThatThrownBy(() -> pngOnly.probe(new byte[2048])).isInstanceOfSatisfying(InvalidImageException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_BYTES));
    }

    static BufferedImage gradient(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = x * 255 / Math.max(1, width - 1);
                int g = y * 255 / Math.max(1, height - 1);
                image.setRGB(x, y, 0xff000000 | r << 16 | g << 8 | (r + g) / 2);
            }
        }
        return image;
    }

    static byte[] write(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    /** Rewrites the IHDR width and height of a PNG (and its CRC), leaving the tiny pixel data as it is. */
    static byte[] withPngSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer buffer = ByteBuffer.wrap(out);
        buffer.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17);
        buffer.putInt(29, (int) crc.getValue());
        return out;
    }
}
