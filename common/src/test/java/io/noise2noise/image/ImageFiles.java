package io.noise2noise.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.ExifParentTIFFTagSet;
import javax.imageio.plugins.tiff.ExifTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.plugins.tiff.TIFFTag;
import javax.imageio.plugins.tiff.TIFFTagSet;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Real image files made in the test, written byte by byte where ImageIO cannot: lossless WebP,
 * EXIF blocks, PNG chunks and JPEG segments, and headers patched to declare other sizes.
 */
final class ImageFiles {

    private ImageFiles() {}

    /** A gradient: x in red, y in green, their mean in blue. */
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

    /** Four flat quadrants (red, green, blue, white from top-left, clockwise) to see turns and flips. */
    static BufferedImage quadrants(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean right = x >= width / 2;
                boolean bottom = y >= height / 2;
                image.setRGB(x, y, !bottom ? (right ? 0x00ff00 : 0xff0000) : (right ? 0x0000ff : 0xffffff));
            }
        }
        return image;
    }

    /** 16-bit samples that 8 bits cannot hold (no value is a multiple of 257). */
    static BufferedImage sixteenBit(int width, int height, boolean grey, boolean alpha) {
        ColorSpace space = ColorSpace.getInstance(grey ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        ColorModel model = new ComponentColorModel(
                space, alpha, false, alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        BufferedImage image =
                new BufferedImage(model, model.createCompatibleWritableRaster(width, height), false, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int band = 0; band < model.getNumComponents(); band++) {
                    int value = (1000 + 997 * x + 61 * y + 4099 * band) % 65536;
                    image.getRaster().setSample(x, y, band, value % 257 == 0 ? value + 1 : value);
                }
            }
        }
        return image;
    }

    /** An 8-bit palette image of {@code colours} (0xRRGGBB), drawn in stripes. */
    static BufferedImage palette(int width, int height, int[] colours, int transparentIndex) {
        IndexColorModel model =
                new IndexColorModel(8, colours.length, colours, 0, false, transparentIndex, DataBuffer.TYPE_BYTE);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, model);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, (x / 3 + y) % colours.length);
            }
        }
        return image;
    }

    /** Writes with ImageIO; TIFF with the JDK's writer, which also writes 16-bit and ICC colour spaces. */
    static byte[] write(BufferedImage image, String format) {
        ImageWriter writer = format.equals("tiff")
                ? jdkTiffWriter()
                : ImageIO.getImageWritersByFormatName(format).next();
        return write(image, writer, writer.getDefaultWriteParam(), null);
    }

    /** Writes with ImageIO's first writer for the format (TwelveMonkeys' for JPEG and TIFF: it writes CMYK). */
    static byte[] writeWithFirstWriter(BufferedImage image, String format) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        return write(image, writer, writer.getDefaultWriteParam(), null);
    }

    /** A TIFF (JDK writer) with extra first-directory fields: an ICC profile (null for none) and an orientation. */
    /** The first directory of a TIFF file with its sub-directories, as the JDK's TIFF reader sees it. */
    static TIFFDirectory tiffDirectory(byte[] tiff) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("tiff");
        ImageReader reader = readers.next();
        while (!reader.getClass().getName().startsWith("com.sun.")) {
            reader = readers.next();
        }
        try (ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(tiff))) {
            reader.setInput(stream);
            return TIFFDirectory.createFromMetadata(reader.getImageMetadata(0));
        } finally {
            reader.dispose();
        }
    }

    /** IFD0 of an EXIF block with its sub-directories, as the JDK's TIFF reader sees it (a stream of unknown length: no strips to check). */
    static TIFFDirectory tiffDirectoryOfExif(byte[] exif) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("tiff");
        ImageReader reader = readers.next();
        while (!reader.getClass().getName().startsWith("com.sun.")) {
            reader = readers.next();
        }
        try (ImageInputStream stream = new MemoryCacheImageInputStream(new ByteArrayInputStream(exif))) {
            reader.setInput(stream);
            return TIFFDirectory.createFromMetadata(reader.getImageMetadata(0));
        } finally {
            reader.dispose();
        }
    }

    /** A TIFF written by the JDK's writer with Make and Orientation and an Exif directory holding ISOSpeedRatings. */
    static byte[] writeTiffWithExif(BufferedImage image, int orientation, String make, int iso) {
        return writeTiff(image, directory -> {
            BaselineTIFFTagSet tags = BaselineTIFFTagSet.getInstance();
            directory.addTIFFField(new TIFFField(
                    tags.getTag(BaselineTIFFTagSet.TAG_MAKE), TIFFTag.TIFF_ASCII, 1, new String[] {make}));
            directory.addTIFFField(new TIFFField(tags.getTag(BaselineTIFFTagSet.TAG_ORIENTATION), orientation));
            TIFFTag pointer = ExifParentTIFFTagSet.getInstance().getTag(ExifParentTIFFTagSet.TAG_EXIF_IFD_POINTER);
            TIFFDirectory exif = new TIFFDirectory(new TIFFTagSet[] {ExifTIFFTagSet.getInstance()}, pointer);
            exif.addTIFFField(
                    new TIFFField(ExifTIFFTagSet.getInstance().getTag(ExifTIFFTagSet.TAG_ISO_SPEED_RATINGS), iso));
            directory.addTagSet(ExifParentTIFFTagSet.getInstance());
            directory.addTIFFField(new TIFFField(pointer, TIFFTag.TIFF_LONG, 1L, exif));
        });
    }

    static byte[] writeTiff(BufferedImage image, byte[] icc, int orientation) {
        return writeTiff(image, directory -> {
            BaselineTIFFTagSet tags = BaselineTIFFTagSet.getInstance();
            if (icc != null) {
                directory.addTIFFField(new TIFFField(
                        tags.getTag(BaselineTIFFTagSet.TAG_ICC_PROFILE), TIFFTag.TIFF_UNDEFINED, icc.length, icc));
            }
            directory.addTIFFField(new TIFFField(tags.getTag(BaselineTIFFTagSet.TAG_ORIENTATION), orientation));
        });
    }

    static byte[] writeTiledTiff(BufferedImage image, int tileSize) {
        ImageWriter writer = jdkTiffWriter();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
        param.setTiling(tileSize, tileSize, 0, 0);
        return write(image, writer, param, null);
    }

    /** A TIFF from the JDK's writer with its default directory plus what {@code tags} adds. */
    private static byte[] writeTiff(BufferedImage image, Consumer<TIFFDirectory> tags) {
        ImageWriter writer = jdkTiffWriter();
        ImageWriteParam param = writer.getDefaultWriteParam();
        TIFFDirectory directory;
        try {
            directory = TIFFDirectory.createFromMetadata(
                    writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param));
        } catch (IIOInvalidTreeException e) {
            writer.dispose();
            throw new IllegalStateException(e);
        }
        tags.accept(directory);
        return write(image, writer, param, directory.getAsMetadata());
    }

    /** The JDK's own TIFF writer (TwelveMonkeys registers one too). */
    private static ImageWriter jdkTiffWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("tiff");
        ImageWriter writer = writers.next();
        while (!writer.getClass().getName().startsWith("com.sun.")) {
            writer = writers.next();
        }
        return writer;
    }

    private static byte[] write(BufferedImage image, ImageWriter writer, ImageWriteParam param, IIOMetadata metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A lossless WebP and its pixels (ARGB), each channel taking one of two seeded values per pixel. */
    record WebP(byte[] bytes, int[] argb) {}

    /**
     * A VP8L (lossless WebP) stream with no transforms and, per channel, a "simple" prefix code of two
     * symbols: one bit per channel per pixel. Optional ICC and EXIF make it an extended (VP8X) file.
     */
    static WebP losslessWebp(int width, int height, boolean alpha, long seed, byte[] icc, byte[] exif) {
        Random random = new Random(seed);
        int[][] values = new int[4][];
        for (int channel = 0; channel < 4; channel++) {
            int low = random.nextInt(128);
            values[channel] = new int[] {low, low + 1 + random.nextInt(127)};
        }
        Bits bits = new Bits();
        bits.write(0x2f, 8);
        bits.write(width - 1, 14);
        bits.write(height - 1, 14);
        bits.write(alpha ? 1 : 0, 1);
        bits.write(0, 3);
        bits.write(0, 1); // no transform
        bits.write(0, 1); // no colour cache
        bits.write(0, 1); // one prefix code group
        int[] order = {1, 0, 2, 3}; // green, red, blue, alpha (values are indexed r, g, b, a)
        for (int channel : order) {
            if (channel == 3 && !alpha) {
                bits.write(1, 1).write(0, 1).write(1, 1).write(255, 8);
            } else {
                bits.write(1, 1)
                        .write(1, 1)
                        .write(1, 1)
                        .write(values[channel][0], 8)
                        .write(values[channel][1], 8);
            }
        }
        bits.write(1, 1).write(0, 1).write(0, 1).write(0, 1); // distance code: the single symbol 0
        int[] argb = new int[width * height];
        for (int i = 0; i < argb.length; i++) {
            int[] sample = new int[4];
            for (int channel : order) {
                if (channel == 3 && !alpha) {
                    sample[3] = 255;
                } else {
                    int bit = random.nextInt(2);
                    bits.write(bit, 1);
                    sample[channel] = values[channel][bit];
                }
            }
            argb[i] = sample[3] << 24 | sample[0] << 16 | sample[1] << 8 | sample[2];
        }
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        if (icc != null || exif != null) {
            ByteBuffer header = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
            header.put((byte) ((icc != null ? 0x20 : 0) | (alpha ? 0x10 : 0) | (exif != null ? 0x08 : 0)));
            header.put(new byte[3]);
            header.put(new byte[] {(byte) (width - 1), (byte) ((width - 1) >> 8), (byte) ((width - 1) >> 16)});
            header.put(new byte[] {(byte) (height - 1), (byte) ((height - 1) >> 8), (byte) ((height - 1) >> 16)});
            riffChunk(chunks, "VP8X", header.array());
            if (icc != null) {
                riffChunk(chunks, "ICCP", icc);
            }
        }
        riffChunk(chunks, "VP8L", bits.bytes());
        if (exif != null) {
            riffChunk(chunks, "EXIF", exif);
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes("RIFF".getBytes(StandardCharsets.ISO_8859_1));
        file.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(4 + chunks.size())
                .array());
        file.writeBytes("WEBP".getBytes(StandardCharsets.ISO_8859_1));
        file.writeBytes(chunks.toByteArray());
        return new WebP(file.toByteArray(), argb);
    }

    private static void riffChunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(type.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(data.length)
                .array());
        out.writeBytes(data);
        if (data.length % 2 == 1) {
            out.write(0);
        }
    }

    /** Bits written least significant first, as VP8L reads them. */
    private static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int used;

        Bits write(int value, int count) {
            for (int i = 0; i < count; i++) {
                current |= ((value >> i) & 1) << used;
                if (++used == 8) {
                    out.write(current);
                    current = 0;
                    used = 0;
                }
            }
            return this;
        }

        byte[] bytes() {
            if (used > 0) {
                out.write(current);
                current = 0;
                used = 0;
            }
            return out.toByteArray();
        }
    }

    /** A little-endian EXIF block (TIFF structure) with an orientation and a camera make. */
    static byte[] exif(int orientation, String make) {
        byte[] makeBytes = (make + "\0").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer exif =
                ByteBuffer.allocate(8 + 2 + 2 * 12 + 4 + makeBytes.length).order(ByteOrder.LITTLE_ENDIAN);
        exif.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        exif.putShort((short) 2);
        exif.putShort((short) 0x010f)
                .putShort((short) 2)
                .putInt(makeBytes.length)
                .putInt(8 + 2 + 24 + 4);
        exif.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) orientation)
                .putShort((short) 0);
        exif.putInt(0);
        exif.put(makeBytes);
        return exif.array();
    }

    /**
     * An EXIF block (big-endian, as many cameras write it) with Make and Orientation in IFD0 and an
     * Exif sub-directory holding ISOSpeedRatings.
     */
    static byte[] exifWithSubDirectory(int orientation, String make, int iso) {
        byte[] makeBytes = (make + "\0").getBytes(StandardCharsets.ISO_8859_1);
        int subIfd = 8 + 2 + 3 * 12 + 4;
        int makeAt = subIfd + 2 + 12 + 4;
        ByteBuffer exif = ByteBuffer.allocate(makeAt + makeBytes.length).order(ByteOrder.BIG_ENDIAN);
        exif.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        exif.putShort((short) 3);
        exif.putShort((short) 0x010f)
                .putShort((short) 2)
                .putInt(makeBytes.length)
                .putInt(makeAt);
        exif.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) orientation)
                .putShort((short) 0);
        exif.putShort((short) 0x8769).putShort((short) 4).putInt(1).putInt(subIfd);
        exif.putInt(0);
        exif.putShort((short) 1);
        exif.putShort((short) 0x8827)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) iso)
                .putShort((short) 0);
        exif.putInt(0);
        exif.put(makeBytes);
        return exif.array();
    }

    /** The orientation in an EXIF block, read independently of the code under test. */
    static int exifOrientation(byte[] exif) {
        ByteBuffer data = ByteBuffer.wrap(exif).order(exif[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = data.getInt(4);
        for (int i = 0; i < data.getShort(ifd); i++) {
            int at = ifd + 2 + 12 * i;
            if (data.getShort(at) == 0x0112) {
                return data.getShort(at + 8);
            }
        }
        return 1;
    }

    /** Inserts a chunk right after IHDR. */
    static byte[] withPngChunk(byte[] png, String type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33);
        EmbeddedMetadata.writePngChunk(out, type, data);
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }

    static byte[] withPngIcc(byte[] png, byte[] icc) {
        Deflater deflater = new Deflater();
        deflater.setInput(icc);
        deflater.finish();
        byte[] buffer = new byte[icc.length + 1024];
        int length = deflater.deflate(buffer);
        deflater.end();
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        chunk.writeBytes("test profile\0\0".getBytes(StandardCharsets.ISO_8859_1));
        chunk.write(buffer, 0, length);
        return withPngChunk(png, "iCCP", chunk.toByteArray());
    }

    /** Inserts a segment right after SOI. */
    static byte[] withJpegSegment(byte[] jpeg, int marker, byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int length = 2 + header.length + data.length;
        out.write(0xff);
        out.write(marker);
        out.write(length >> 8);
        out.write(length & 0xff);
        out.writeBytes(header);
        out.writeBytes(data);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    static byte[] withJpegExif(byte[] jpeg, byte[] exif) {
        return withJpegSegment(jpeg, 0xe1, "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), exif);
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

    /** Rewrites the first frame's size in a JPEG's SOF segment. */
    static byte[] withJpegSize(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        for (int at = 2; at + 9 < out.length; ) {
            int marker = out[at + 1] & 0xff;
            if (marker >= 0xc0 && marker <= 0xc2) {
                ByteBuffer.wrap(out).putShort(at + 5, (short) height).putShort(at + 7, (short) width);
                return out;
            }
            at += 2 + ((out[at + 2] & 0xff) << 8 | (out[at + 3] & 0xff));
        }
        throw new IllegalArgumentException("no SOF segment");
    }

    /** Rewrites a GIF's screen and first image descriptor size. */
    static byte[] withGifSize(byte[] gif, int width, int height) {
        byte[] out = gif.clone();
        ByteBuffer data = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort(6, (short) width).putShort(8, (short) height);
        int at = 13 + ((out[10] & 0x80) != 0 ? 3 << ((out[10] & 7) + 1) : 0);
        while (out[at] == 0x21) {
            at += 2;
            while (out[at] != 0) {
                at += (out[at] & 0xff) + 1;
            }
            at++;
        }
        data.putShort(at + 5, (short) width).putShort(at + 7, (short) height);
        return out;
    }

    static byte[] withBmpSize(byte[] bmp, int width, int height) {
        byte[] out = bmp.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(18, width).putInt(22, height);
        return out;
    }

    /** Rewrites a LONG or SHORT tag of a TIFF's first directory. */
    static byte[] withTiffTag(byte[] tiff, int tag, int value) {
        byte[] out = tiff.clone();
        ByteBuffer data = ByteBuffer.wrap(out).order(out[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = data.getInt(4);
        for (int i = 0; i < data.getShort(ifd); i++) {
            int at = ifd + 2 + 12 * i;
            if (data.getShort(at) == tag) {
                if (data.getShort(at + 2) == 3) {
                    data.putShort(at + 8, (short) value);
                } else {
                    data.putInt(at + 8, value);
                }
                return out;
            }
        }
        throw new IllegalArgumentException("no tag " + tag);
    }

    /** Rewrites the 14-bit width and height of a VP8L (simple lossless) WebP. */
    static byte[] withWebpSize(byte[] webp, int width, int height) {
        byte[] out = webp.clone();
        ByteBuffer data = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int fields = data.getInt(21);
        data.putInt(21, (fields & ~0x0fffffff) | (height - 1) << 14 | (width - 1));
        return out;
    }
}
