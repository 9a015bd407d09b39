package io.noise2noise.image;

import static io.noise2noise.image.ImageFiles.gradient;
import static io.noise2noise.image.ImageFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.noise2noise.image.InvalidImageException.Reason;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.ExifParentTIFFTagSet;
import javax.imageio.plugins.tiff.ExifTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageCodecTest {

    private static final byte[] LINEAR_RGB_PROFILE =
            ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
    private static final byte[] ICC_HEADER = "ICC_PROFILE\0\1\1".getBytes(StandardCharsets.ISO_8859_1);

    private final ImageCodec codec = new ImageCodec(ImageLimits.defaults());

    /** An RGB image of each format, as written by ImageIO (WebP: by {@link ImageFiles#losslessWebp}). */
    static byte[] rgbFile(String format, int width, int height) {
        return format.equals("webp")
                ? ImageFiles.losslessWebp(width, height, false, 1, null, null).bytes()
                : write(gradient(width, height, BufferedImage.TYPE_INT_RGB), format);
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "bmp", "gif", "tiff", "webp"})
    void probesDecodesAndWritesEachFormatBack(String format) {
        byte[] bytes = rgbFile(format, 37, 23);

        ImageInfo info = codec.probe(bytes);
        PixelImage pixels = codec.decode(bytes);
        EncodedImage again = codec.encode(pixels, OutputOptions.sameFormat());

        String written = format.equals("webp") ? "png" : format;
        assertThat(info).isEqualTo(new ImageInfo(format, 37, 23));
        assertThat(pixels.width()).isEqualTo(37);
        assertThat(pixels.height()).isEqualTo(23);
        assertThat(pixels.grey()).isFalse();
        assertThat(pixels.toFloatAlpha()).isNull();
        assertThat(pixels.bitDepth()).isEqualTo(8);
        assertThat(pixels.metadata().format()).isEqualTo(format);
        assertThat(again.format()).isEqualTo(written);
        assertThat(again.contentType()).isEqualTo("image/" + written);
        assertThat(codec.probe(again.data())).isEqualTo(new ImageInfo(written, 37, 23));
        assertThat(codec.encode(pixels, format)).isEqualTo(again.data());
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp", "tiff"})
    void losslessFormatsRoundTripExactly(String format) throws IOException {
        BufferedImage source = gradient(40, 30, BufferedImage.TYPE_INT_RGB);

        BufferedImage back =
                ImageIO.read(new ByteArrayInputStream(codec.encode(codec.decode(write(source, format)), format)));

        assertThat(back.getRGB(0, 0, 40, 30, null, 0, 40)).isEqualTo(source.getRGB(0, 0, 40, 30, null, 0, 40));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void losslessWebpDecodesToItsExactPixels(boolean alpha) {
        ImageFiles.WebP webp = ImageFiles.losslessWebp(19, 11, alpha, 42, null, null);

        PixelImage pixels = codec.decode(webp.bytes());

        assertThat(pixels.hasAlpha()).isEqualTo(alpha);
        for (int i = 0; i < webp.argb().length; i++) {
            int p = webp.argb()[i];
            assertThat(pixels.toFloatRgb()[3 * i]).isEqualTo(((p >> 16) & 0xff) / 255f);
            assertThat(pixels.toFloatRgb()[3 * i + 1]).isEqualTo(((p >> 8) & 0xff) / 255f);
            assertThat(pixels.toFloatRgb()[3 * i + 2]).isEqualTo((p & 0xff) / 255f);
            if (alpha) {
                assertThat(pixels.toFloatAlpha()[i]).isEqualTo((p >>> 24) / 255f);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "bmp", "gif", "tiff"})
    void greyStaysGrey(String format) {
        PixelImage grey = codec.decode(write(gradient(16, 16, BufferedImage.TYPE_BYTE_GRAY), format));

        byte[] written = codec.encode(grey, format);

        assertThat(grey.grey()).isTrue();
        assertThat(codec.decode(written).grey()).isTrue();
        if (!format.equals("gif") && !format.equals("bmp")) {
            assertThat(readBack(written).getColorModel().getNumColorComponents())
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "tiff"})
    void alphaIsPassedThroughUntouched(String format) {
        BufferedImage translucent = gradient(16, 16, BufferedImage.TYPE_INT_ARGB);
        for (int x = 0; x < 16; x++) {
            translucent.setRGB(x, 4, (x * 16) << 24 | 0x112233);
        }
        PixelImage withAlpha = codec.decode(write(translucent, format));

        BufferedImage out = readBack(codec.encode(withAlpha, format));

        assertThat(withAlpha.toFloatAlpha()).isNotNull();
        assertThat(out.getColorModel().hasAlpha()).isTrue();
        for (int x = 0; x < 16; x++) {
            assertThat(out.getRGB(x, 4) >>> 24).isEqualTo(x * 16);
            assertThat(out.getRGB(x, 4) & 0xffffff).isEqualTo(0x112233);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "png,false,false",
        "png,true,false",
        "png,false,true",
        "png,true,true",
        "tiff,false,false",
        "tiff,true,false",
        "tiff,false,true"
    })
    void sixteenBitSamplesSurviveWithFullPrecision(String format, boolean grey, boolean alpha) {
        BufferedImage source = ImageFiles.sixteenBit(23, 17, grey, alpha);

        PixelImage pixels = codec.decode(write(source, format));
        BufferedImage out = readBack(codec.encode(pixels, format));

        assertThat(pixels.bitDepth()).isEqualTo(16);
        assertThat(pixels.grey()).isEqualTo(grey);
        assertThat(pixels.hasAlpha()).isEqualTo(alpha);
        int colours = grey ? 1 : 3;
        for (int band = 0; band < colours; band++) {
            int[] expected = source.getRaster().getSamples(0, 0, 23, 17, band, (int[]) null);
            for (int i = 0; i < expected.length; i++) {
                assertThat(pixels.toFloatRgb()[3 * i + band]).isCloseTo(expected[i] / 65535f, within(1e-7f));
            }
        }
        assertThat(out.getColorModel().getComponentSize(0)).isEqualTo(16);
        assertThat(out.getColorModel().getNumColorComponents()).isEqualTo(colours);
        assertThat(out.getColorModel().hasAlpha()).isEqualTo(alpha);
        for (int band = 0; band < source.getRaster().getNumBands(); band++) {
            assertThat(out.getRaster().getSamples(0, 0, 23, 17, band, (int[]) null))
                    .as("band %d", band)
                    .isEqualTo(source.getRaster().getSamples(0, 0, 23, 17, band, (int[]) null));
        }
    }

    static Stream<Arguments> filesWithAnIccProfile() {
        BufferedImage source = gradient(24, 16, BufferedImage.TYPE_INT_RGB);
        return Stream.of(
                Arguments.of("png", ImageFiles.withPngIcc(write(source, "png"), LINEAR_RGB_PROFILE)),
                Arguments.of(
                        "jpeg",
                        ImageFiles.withJpegSegment(write(source, "jpeg"), 0xe2, ICC_HEADER, LINEAR_RGB_PROFILE)),
                Arguments.of("tiff", ImageFiles.writeTiff(source, LINEAR_RGB_PROFILE, 1)));
    }

    @ParameterizedTest
    @MethodSource("filesWithAnIccProfile")
    void iccProfileIsKeptAndTheSamplesAreNotConverted(String format, byte[] file) {
        PixelImage pixels = codec.decode(file);
        byte[] written = codec.encode(pixels, format);
        PixelImage again = codec.decode(written);

        assertThat(pixels.metadata().iccProfile()).isEqualTo(LINEAR_RGB_PROFILE);
        assertThat(again.metadata().iccProfile()).isEqualTo(LINEAR_RGB_PROFILE);
        assertThat(again.toFloatRgb()).hasSameSizeAs(pixels.toFloatRgb());
        float tolerance = format.equals("jpeg") ? 0.05f : 0f;
        for (int i = 0; i < pixels.toFloatRgb().length; i += 7) {
            assertThat(again.toFloatRgb()[i]).isCloseTo(pixels.toFloatRgb()[i], within(tolerance));
        }
        if (!format.equals("jpeg")) {
            // unconverted: the samples are the ones written, not their sRGB rendering
            BufferedImage source = gradient(24, 16, BufferedImage.TYPE_INT_RGB);
            assertThat(pixels.toFloatRgb()[3 * (5 * 24 + 20)]).isEqualTo(((source.getRGB(20, 5) >> 16) & 0xff) / 255f);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg"})
    void exifIsKeptWithOrientationReset(String format) {
        byte[] plain = write(gradient(20, 10, BufferedImage.TYPE_INT_RGB), format);
        byte[] exif = ImageFiles.exif(3, "N2N Test Camera");
        byte[] file = format.equals("png")
                ? ImageFiles.withPngChunk(plain, "eXIf", exif)
                : ImageFiles.withJpegExif(plain, exif);

        PixelImage pixels = codec.decode(file);
        byte[] written = codec.encode(pixels, format);
        PixelImage again = codec.decode(written);

        assertThat(ImageFiles.exifOrientation(pixels.metadata().exif())).isEqualTo(1);
        assertThat(again.metadata().exif()).isEqualTo(pixels.metadata().exif());
        assertThat(new String(again.metadata().exif(), StandardCharsets.ISO_8859_1))
                .contains("N2N Test Camera");
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg"})
    void exifAndIccProfileAreWrittenIntoTiffOutput(String source) throws IOException {
        byte[] plain = write(gradient(20, 10, BufferedImage.TYPE_INT_RGB), source);
        byte[] exif = ImageFiles.exifWithSubDirectory(6, "N2N Test Camera", 400);
        byte[] file = source.equals("png")
                ? ImageFiles.withPngChunk(ImageFiles.withPngIcc(plain, LINEAR_RGB_PROFILE), "eXIf", exif)
                : ImageFiles.withJpegExif(
                        ImageFiles.withJpegSegment(plain, 0xe2, ICC_HEADER, LINEAR_RGB_PROFILE), exif);

        PixelImage pixels = codec.decode(file);
        byte[] tiff = codec.encode(pixels, OutputOptions.format("tiff")).data();

        TIFFDirectory written = ImageFiles.tiffDirectory(tiff);
        assertThat(written.getTIFFField(BaselineTIFFTagSet.TAG_MAKE).getAsString(0))
                .isEqualTo("N2N Test Camera");
        assertThat(written.getTIFFField(BaselineTIFFTagSet.TAG_ORIENTATION).getAsInt(0))
                .isEqualTo(1);
        assertThat(written.getTIFFField(BaselineTIFFTagSet.TAG_IMAGE_WIDTH).getAsInt(0))
                .isEqualTo(10);
        assertThat(written.getTIFFField(BaselineTIFFTagSet.TAG_IMAGE_LENGTH).getAsInt(0))
                .isEqualTo(20);
        TIFFField exifDirectory = written.getTIFFField(ExifParentTIFFTagSet.TAG_EXIF_IFD_POINTER);
        assertThat(exifDirectory).isNotNull();
        assertThat(exifDirectory
                        .getDirectory()
                        .getTIFFField(ExifTIFFTagSet.TAG_ISO_SPEED_RATINGS)
                        .getAsInt(0))
                .isEqualTo(400);
        assertThat(written.getTIFFField(BaselineTIFFTagSet.TAG_ICC_PROFILE).getAsBytes())
                .isEqualTo(LINEAR_RGB_PROFILE);
        assertThat(codec.decode(tiff).metadata().iccProfile()).isEqualTo(LINEAR_RGB_PROFILE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiff", "jpeg", "png"})
    void exifOfATiffInputIsKept(String output) throws IOException {
        byte[] file =
                ImageFiles.writeTiffWithExif(gradient(20, 10, BufferedImage.TYPE_INT_RGB), 6, "N2N Microscope", 800);

        PixelImage pixels = codec.decode(file);
        byte[] written = codec.encode(pixels, OutputOptions.format(output)).data();

        assertThat(pixels.width()).isEqualTo(10);
        assertThat(ImageFiles.exifOrientation(pixels.metadata().exif())).isEqualTo(1);
        assertThat(new String(pixels.metadata().exif(), StandardCharsets.ISO_8859_1))
                .contains("N2N Microscope");
        if (output.equals("tiff")) {
            TIFFDirectory directory = ImageFiles.tiffDirectory(written);
            assertThat(directory.getTIFFField(BaselineTIFFTagSet.TAG_MAKE).getAsString(0))
                    .isEqualTo("N2N Microscope");
            assertThat(directory
                            .getTIFFField(BaselineTIFFTagSet.TAG_ORIENTATION)
                            .getAsInt(0))
                    .isEqualTo(1);
            assertThat(directory
                            .getTIFFField(ExifParentTIFFTagSet.TAG_EXIF_IFD_POINTER)
                            .getDirectory()
                            .getTIFFField(ExifTIFFTagSet.TAG_ISO_SPEED_RATINGS)
                            .getAsInt(0))
                    .isEqualTo(800);
        } else {
            // read back by the JDK's TIFF reader: the carried block is a well-formed TIFF structure
            TIFFDirectory exif = ImageFiles.tiffDirectoryOfExif(
                    codec.decode(written).metadata().exif());
            assertThat(exif.getTIFFField(BaselineTIFFTagSet.TAG_MAKE).getAsString(0))
                    .isEqualTo("N2N Microscope");
            assertThat(exif.getTIFFField(ExifParentTIFFTagSet.TAG_EXIF_IFD_POINTER)
                            .getDirectory()
                            .getTIFFField(ExifTIFFTagSet.TAG_ISO_SPEED_RATINGS)
                            .getAsInt(0))
                    .isEqualTo(800);
            assertThat(exif.getTIFFField(BaselineTIFFTagSet.TAG_IMAGE_WIDTH)).isNull();
        }
    }

    @Test
    void aTiffWithOnlyLayoutTagsCarriesNoExif() {
        PixelImage pixels = codec.decode(ImageFiles.writeTiff(gradient(8, 4, BufferedImage.TYPE_INT_RGB), null, 3));

        assertThat(pixels.metadata().exif()).isNull();
    }

    /** Where the stored image's top-left (red) and top-right (green) quadrants are seen, per orientation. */
    @ParameterizedTest
    @CsvSource({"1,TL,TR", "2,TR,TL", "3,BR,BL", "4,BL,BR", "5,TL,BL", "6,TR,BR", "7,BR,TR", "8,BL,TL"})
    void exifOrientationTurnsThePixelsUpright(int orientation, String red, String green) {
        byte[] exif = ImageFiles.exif(orientation, "N2N");
        byte[] png = ImageFiles.withPngChunk(write(ImageFiles.quadrants(40, 20), "png"), "eXIf", exif);
        byte[] jpeg = ImageFiles.withJpegExif(write(ImageFiles.quadrants(40, 20), "jpeg"), exif);
        boolean turned = orientation >= 5;

        for (byte[] file : new byte[][] {png, jpeg}) {
            PixelImage upright = codec.decode(file);

            assertThat(codec.probe(file))
                    .extracting(ImageInfo::width, ImageInfo::height)
                    .containsExactly(turned ? 20 : 40, turned ? 40 : 20);
            assertThat(upright.width()).isEqualTo(turned ? 20 : 40);
            assertThat(colourAt(upright, red)).isEqualTo("red");
            assertThat(colourAt(upright, green)).isEqualTo("green");
            assertThat(ImageFiles.exifOrientation(codec.decode(codec.encode(upright, "png"))
                            .metadata()
                            .exif()))
                    .isEqualTo(1);
        }
    }

    @Test
    void tiffOrientationIsAppliedToo() {
        byte[] tiff = ImageFiles.writeTiff(ImageFiles.quadrants(40, 20), null, 6);

        PixelImage upright = codec.decode(tiff);

        assertThat(codec.probe(tiff)).isEqualTo(new ImageInfo("tiff", 20, 40));
        assertThat(colourAt(upright, "TR")).isEqualTo("red");
        assertThat(colourAt(upright, "BR")).isEqualTo("green");
        assertThat(codec.probe(codec.encode(upright, "tiff"))).isEqualTo(new ImageInfo("tiff", 20, 40));
    }

    @Test
    void webpIccAndExifAreRead() {
        byte[] exif = ImageFiles.exif(8, "N2N");
        byte[] webp = ImageFiles.losslessWebp(12, 6, false, 3, LINEAR_RGB_PROFILE, exif)
                .bytes();

        PixelImage pixels = codec.decode(webp);
        EncodedImage written = codec.encode(pixels, OutputOptions.sameFormat());

        assertThat(codec.probe(webp)).isEqualTo(new ImageInfo("webp", 6, 12));
        assertThat(pixels.metadata().iccProfile()).isEqualTo(LINEAR_RGB_PROFILE);
        assertThat(written.contentType()).isEqualTo("image/png");
        assertThat(codec.decode(written.data()).metadata().iccProfile()).isEqualTo(LINEAR_RGB_PROFILE);
        assertThat(ImageFiles.exifOrientation(
                        codec.decode(written.data()).metadata().exif()))
                .isEqualTo(1);
    }

    @Test
    void cmykJpegAndTiffAreConvertedToRgb() {
        ColorSpace cmyk = com.twelvemonkeys.imageio.color.ColorSpaces.getColorSpace(
                com.twelvemonkeys.imageio.color.ColorSpaces.CS_GENERIC_CMYK);
        ColorModel model = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        BufferedImage cyan = new BufferedImage(model, model.createCompatibleWritableRaster(16, 8), false, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                cyan.getRaster().setPixel(x, y, new int[] {255, 0, 0, 0});
            }
        }

        for (String format : new String[] {"jpeg", "tiff"}) {
            PixelImage pixels = codec.decode(ImageFiles.writeWithFirstWriter(cyan, format));

            assertThat(pixels.grey()).isFalse();
            assertThat(pixels.metadata().iccProfile()).isNull();
            assertThat(pixels.toFloatRgb()[3 * 20]).as(format + " red").isLessThan(0.3f);
            assertThat(pixels.toFloatRgb()[3 * 20 + 1]).as(format + " green").isGreaterThan(0.5f);
            assertThat(pixels.toFloatRgb()[3 * 20 + 2]).as(format + " blue").isGreaterThan(0.8f);
            assertThat(readBack(codec.encode(pixels, format))
                            .getColorModel()
                            .getColorSpace()
                            .getType())
                    .isEqualTo(ColorSpace.TYPE_RGB);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "gif", "bmp"})
    void paletteImagesDecodeToTheirColours(String format) {
        // 20 entries: the JDK's BMP writer mangles 4-bit palettes, so stay at 8 bits
        int[] colours = new int[20];
        int[] greys = new int[20];
        for (int i = 0; i < colours.length; i++) {
            colours[i] = (i * 53 % 256) << 16 | (i * 97 % 256) << 8 | (i * 29 % 256);
            greys[i] = (i * 12) * 0x010101;
        }
        BufferedImage source = ImageFiles.palette(12, 6, colours, -1);

        PixelImage pixels = codec.decode(write(source, format));
        PixelImage greyPalette = codec.decode(write(ImageFiles.palette(12, 6, greys, -1), format));

        assertThat(pixels.grey()).isFalse();
        assertThat(pixels.toFloatAlpha()).isNull();
        for (int i = 0; i < 12 * 6; i++) {
            int p = source.getRGB(i % 12, i / 12);
            assertThat(pixels.toFloatRgb()[3 * i]).isEqualTo(((p >> 16) & 0xff) / 255f);
            assertThat(pixels.toFloatRgb()[3 * i + 1]).isEqualTo(((p >> 8) & 0xff) / 255f);
            assertThat(pixels.toFloatRgb()[3 * i + 2]).isEqualTo((p & 0xff) / 255f);
        }
        assertThat(greyPalette.grey()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "gif"})
    void transparentPaletteEntryBecomesAlpha(String format) {
        BufferedImage source = ImageFiles.palette(12, 6, new int[] {0xff0000, 0x00ff00, 0x0000ff}, 1);

        PixelImage pixels = codec.decode(write(source, format));

        assertThat(pixels.toFloatAlpha()).isNotNull();
        for (int i = 0; i < 12 * 6; i++) {
            int index = source.getRaster().getSample(i % 12, i / 12, 0);
            assertThat(pixels.toFloatAlpha()[i]).isEqualTo(index == 1 ? 0f : 1f);
        }
        assertThat(readBack(codec.encode(pixels, format)).getColorModel().hasAlpha())
                .isTrue();
    }

    static Stream<Arguments> bombs() {
        byte[] png = write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "png");
        byte[] tiff = write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "tiff");
        byte[] webp = ImageFiles.losslessWebp(8, 8, false, 1, null, null).bytes();
        byte[] tiled = ImageFiles.writeTiledTiff(gradient(64, 64, BufferedImage.TYPE_INT_RGB), 32);
        return Stream.of(
                Arguments.of("png", ImageFiles.withPngSize(png, 30_000, 30_000), "30000x30000"),
                Arguments.of(
                        "jpeg",
                        ImageFiles.withJpegSize(
                                write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "jpeg"), 65_000, 65_000),
                        "65000x65000"),
                Arguments.of(
                        "gif",
                        ImageFiles.withGifSize(
                                write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "gif"), 65_535, 65_535),
                        "65535x65535"),
                Arguments.of(
                        "bmp",
                        ImageFiles.withBmpSize(
                                write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "bmp"), 100_000, 100_000),
                        "100000x100000"),
                Arguments.of(
                        "tiff",
                        ImageFiles.withTiffTag(ImageFiles.withTiffTag(tiff, 256, 60_000), 257, 60_000),
                        "60000x60000"),
                Arguments.of(
                        "tiff tiles",
                        ImageFiles.withTiffTag(ImageFiles.withTiffTag(tiled, 322, 60_000), 323, 60_000),
                        "60000x60000"),
                Arguments.of("webp", ImageFiles.withWebpSize(webp, 16_384, 16_384), "16384x16384"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bombs")
    void decompressionBombIsRefusedFromItsHeaderInMilliseconds(String kind, byte[] bomb, String size) {
        long started = System.nanoTime();

        assertThatThrownBy(() -> codec.decode(bomb))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS))
                .hasMessageContaining(size);
        assertThatThrownBy(() -> codec.probe(bomb)).hasMessageContaining(size);

        assertThat((System.nanoTime() - started) / 1e9).as("seconds to refuse").isLessThan(1.0);
        assertThat(bomb.length).isLessThan(20_000);
    }

    /** TwelveMonkeys' JPEG and WebP readers would allocate the size an ICC header declares: 2 GB here. */
    @Test
    void iccProfileDeclaringGigabytesIsIgnoredNotAllocated() {
        byte[] oversized = LINEAR_RGB_PROFILE.clone();
        java.nio.ByteBuffer.wrap(oversized).putInt(0, 0x7fff0000);
        byte[] jpeg = ImageFiles.withJpegSegment(
                write(gradient(24, 16, BufferedImage.TYPE_INT_RGB), "jpeg"), 0xe2, ICC_HEADER, oversized);
        byte[] webp = ImageFiles.losslessWebp(24, 16, false, 1, oversized, null).bytes();

        for (byte[] file : new byte[][] {jpeg, webp}) {
            long started = System.nanoTime();
            PixelImage pixels = codec.decode(file);

            assertThat(pixels.metadata().iccProfile()).isNull();
            assertThat((System.nanoTime() - started) / 1e9).isLessThan(1.0);
        }
    }

    @Test
    void webpCanvasMustMatchItsImage() {
        byte[] webp = ImageFiles.losslessWebp(24, 16, false, 1, LINEAR_RGB_PROFILE, null)
                .bytes();
        byte[] wide = webp.clone();
        wide[24] = 0x01; // VP8X canvas width - 1, low byte: 24 becomes 2
        wide[26] = 0x01; // high byte: now 65538 wide, still under the limit

        assertThatThrownBy(() -> codec.decode(wide))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
                .hasMessageContaining("canvas is 65538x16");
    }

    /** The WebP decoder would decode a million pixels of zeros past the end, one EOFException per byte. */
    @Test
    void webpDeclaringMorePixelsThanItHoldsFailsFast() {
        byte[] webp = ImageFiles.withWebpSize(
                ImageFiles.losslessWebp(24, 16, false, 1, null, null).bytes(), 1000, 1000);
        long started = System.nanoTime();

        assertThatThrownBy(() -> codec.decode(webp))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
                .hasMessageContaining("past the end");
        assertThat((System.nanoTime() - started) / 1e9).isLessThan(1.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "bmp", "gif", "tiff", "webp"})
    void truncatedImageIsCorrupt(String format) {
        byte[] file = format.equals("webp")
                ? ImageFiles.losslessWebp(64, 64, false, 5, null, null).bytes()
                : write(ImageFiles.quadrants(64, 64), format);
        byte[] truncated = Arrays.copyOf(file, file.length / 2);

        assertThatThrownBy(() -> codec.decode(truncated))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
                .hasMessageContaining("corrupt or truncated");
    }

    @Test
    void refusesWhatIsNotAnAcceptedImage() {
        ImageCodec pngOnly = new ImageCodec(ImageLimits.of(
                Map.of("max-bytes", "1KB", "max-upload-bytes", "1KB", "max-pixels", "100", "formats", "png")));
        byte[] jpeg = write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "jpeg");

        assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessage("image is empty");
        assertThatThrownBy(() -> codec.decode("{\"hello\": 1}".getBytes()))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT));
        assertThatThrownBy(() -> pngOnly.probe(jpeg)).hasMessageContaining("format jpeg is not accepted");
        assertThatThrownBy(() -> pngOnly.probe(new byte[2048]))
                .isInstanceOfSatisfying(
                        InvalidImageException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_BYTES));
    }

    @Test
    void theMaximumPixelCountIsSettable() {
        ImageCodec small = new ImageCodec(ImageLimits.of(Map.of("max-pixels", "500")));
        byte[] image = write(gradient(30, 20, BufferedImage.TYPE_INT_RGB), "png");

        assertThatThrownBy(() -> small.probe(image)).hasMessageContaining("30x20 (600 pixels); the limit is 500");
        assertThat(ImageLimits.defaults().formats()).contains("tiff", "webp");
        assertThat(ImageLimits.defaults().maxPixels()).isEqualTo(50_000_000L);
    }

    @Test
    void outputOptionsChooseTheFormatAndJpegQuality() {
        BufferedImage translucent = gradient(64, 48, BufferedImage.TYPE_INT_ARGB);
        PixelImage pixels = codec.decode(write(translucent, "png"));

        EncodedImage best = codec.encode(pixels, OutputOptions.format("jpg"));
        EncodedImage small = codec.encode(pixels, OutputOptions.format("jpeg").withJpegQuality(0.3f));
        EncodedImage webp = codec.encode(pixels, OutputOptions.format("webp"));

        assertThat(best.format()).isEqualTo("jpeg");
        assertThat(best.contentType()).isEqualTo("image/jpeg");
        assertThat(codec.probe(best.data()).format()).isEqualTo("jpeg");
        assertThat(small.data().length).isLessThan(best.data().length);
        assertThat(webp.format()).isEqualTo("png");
        assertThat(webp.contentType()).isEqualTo("image/png");
        assertThat(readBack(webp.data()).getColorModel().hasAlpha()).isTrue();
        assertThatThrownBy(() -> OutputOptions.format("png").withJpegQuality(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode(pixels, "xcf")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pixelsFromNoFileAreWrittenAsPng() {
        PixelImage made = PixelImage.fromFloats(2, 1, new float[] {1, 0, 0, 0, 0, 1}, null, false);

        EncodedImage written = codec.encode(made, OutputOptions.sameFormat());

        assertThat(written.format()).isEqualTo("png");
        assertThat(readBack(written.data()).getRGB(1, 0) & 0xffffff).isEqualTo(0x0000ff);
    }

    private static String colourAt(PixelImage image, String corner) {
        int x = corner.endsWith("L") ? image.width() / 4 : 3 * image.width() / 4;
        int y = corner.startsWith("T") ? image.height() / 4 : 3 * image.height() / 4;
        int i = 3 * (y * image.width() + x);
        float r = image.toFloatRgb()[i];
        float g = image.toFloatRgb()[i + 1];
        float b = image.toFloatRgb()[i + 2];
        if (r > 0.8 && g > 0.8 && b > 0.8) {
            return "white";
        }
        return r > 0.8 ? "red" : g > 0.8 ? "green" : b > 0.8 ? "blue" : "unclear";
    }

    private static BufferedImage readBack(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
