package io.noise2noise.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noise2noise.image.InvalidImageException.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** What an image can be written as is known from its header: refused before any pixel is decoded. */
class OutputLimitsTest {

    private final ImageCodec codec = new ImageCodec(ImageLimits.defaults());

    @Test
    void aPngWiderThanJpegAllowsCannotBeAskedBackAsJpegButAsPng() {
        ImageInfo wide = codec.probe(png(65_536, 8));

        assertThatThrownBy(() -> codec.checkWritable(wide, "jpeg"))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_WRITABLE))
                .hasMessageContaining("65536x8")
                .hasMessageContaining("jpeg can hold at most 65500");
        assertThatThrownBy(() -> codec.checkWritable(wide, "JPG")).hasMessageContaining("65500");
        assertThatThrownBy(() -> codec.checkWritable(wide, "gif")).hasMessageContaining("gif can hold at most 65535");
        assertThatCode(() -> codec.checkWritable(wide, "png")).doesNotThrowAnyException();
        assertThatCode(() -> codec.checkWritable(wide, null))
                .as("the input's own format")
                .doesNotThrowAnyException();
        assertThatCode(() -> codec.checkWritable(wide, "webp"))
                .as("written as png")
                .doesNotThrowAnyException();
        assertThatCode(() -> codec.checkWritable(wide, "tiff")).doesNotThrowAnyException();
    }

    @Test
    void theJpegLimitIsTheWritersOwn() {
        // the table must match what the JDK's writer does: 65 500 is written, 65 501 is refused
        PixelImage widest = codec.decode(png(65_500, 1));
        PixelImage tooWide = codec.decode(png(65_501, 1));

        assertThat(codec.encode(widest, "jpeg")).isNotEmpty();
        assertThatCode(() -> codec.checkWritable(new ImageInfo("png", 65_500, 1), "jpeg"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> codec.encode(tooWide, "jpeg")).hasStackTraceContaining("65500");
        assertThatThrownBy(() -> codec.checkWritable(new ImageInfo("png", 65_501, 1), "jpeg"))
                .hasMessageContaining("65500");
    }

    @Test
    void anUncompressedResultIsBoundedByMaxResultBytes() {
        ImageInfo large = new ImageInfo("png", 8_000, 6_000);
        ImageCodec smallResults = new ImageCodec(ImageLimits.of(Map.of("max-result-bytes", "10MB")));

        assertThatThrownBy(() -> codec.checkWritable(large, "bmp"))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_WRITABLE))
                .hasMessageContaining("144000000 bytes")
                .hasMessageContaining("n2n.images.max-result-bytes");
        assertThatCode(() -> codec.checkWritable(large, "png")).doesNotThrowAnyException();
        assertThatCode(() -> codec.checkWritable(new ImageInfo("png", 4_000, 3_000), "bmp"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> smallResults.checkWritable(new ImageInfo("bmp", 2_000, 2_000), null))
                .as("a BMP input kept as BMP")
                .hasMessageContaining("12000000 bytes");
        assertThat(ImageLimits.defaults().maxResultBytes()).isEqualTo(DataSize.ofMegabytes(128));
    }

    private static byte[] png(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
