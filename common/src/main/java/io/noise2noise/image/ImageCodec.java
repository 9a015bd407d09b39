package io.noise2noise.image;

import io.noise2noise.image.InvalidImageException.Reason;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * The one place images are read and written: header probing against {@link ImageLimits}, decoding
 * to {@link PixelImage} (upright, at the source's bit depth, with its ICC profile and EXIF), and
 * encoding back to the client's format.
 *
 * <p>Every failure to read an image is an {@link InvalidImageException}; the limits are checked
 * from the header, so an over-large image is refused before its pixels are allocated.
 */
public class ImageCodec {

    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "png",
            "image/png",
            "jpeg",
            "image/jpeg",
            "bmp",
            "image/bmp",
            "gif",
            "image/gif",
            "tiff",
            "image/tiff",
            "webp",
            "image/webp");
    private static final Set<String> SIXTEEN_BIT_FORMATS = Set.of("png", "tiff");
    private static final Set<String> ALPHA_FORMATS = Set.of("png", "tiff", "gif");
    /** Written instead of a format ImageIO cannot write (WebP). */
    private static final String FALLBACK_FORMAT = "png";
    /** The most channels any accepted layout has: CMYK plus alpha. */
    private static final int MAX_CHANNELS = 5;
    /**
     * The widest and highest image each writer takes: the JPEG writer refuses more than 65 500, GIF
     * stores sizes in 16 bits; PNG, TIFF and BMP hold any size up to {@code maxPixels}.
     */
    private static final Map<String, Integer> MAX_DIMENSION = Map.of("jpeg", 65_500, "gif", 65_535);
    /** Written without compression: the result's size follows from the image's. */
    private static final Set<String> UNCOMPRESSED_FORMATS = Set.of("bmp");
    /** Bytes per pixel of an uncompressed result: 24-bit BMP, whatever the input's depth. */
    private static final int UNCOMPRESSED_BYTES_PER_PIXEL = 3;

    private static final Pattern TRUNCATION_WARNING = Pattern.compile("(?i)truncated file|premature end");

    static {
        // the TwelveMonkeys plugins must be found through the application's class loader, also in a Boot jar
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false);
    }

    static final int UPLOAD_HEAD_BYTES = 256 << 10;
    static final long UPLOAD_HEADER_BUDGET = 4L << 20;

    private final ImageLimits limits;

    public ImageCodec(ImageLimits limits) {
        this.limits = limits;
    }

    public static String contentType(String format) {
        return CONTENT_TYPES.getOrDefault(format, "application/octet-stream");
    }

    /** Reads only the header of an image sent in a request body: format and upright size, checked against the limits. */
    public ImageInfo probe(byte[] bytes) {
        return read(bytes, limits.maxBytes().toBytes(), (reader, header) -> header.info());
    }

    /**
     * Reads only the header of a file that is not in memory (a presigned upload), checked against
     * the limits with {@code maxUploadBytes} as the byte limit: its first {@value #UPLOAD_HEAD_BYTES}
     * bytes, and more on demand up to {@value #UPLOAD_HEADER_BUDGET} (a JPEG's metadata segments, a
     * TIFF directory written after the pixels). Truncation inside the pixel data and metadata past the
     * head are left to {@link #decode}. A failure of
     * {@code source} is thrown as it is.
     */
    public ImageInfo probe(long size, RangeReader source) {
        checkByteCount(size, limits.maxUploadBytes().toBytes());
        byte[] head = EmbeddedMetadata.withoutOversizedProfile(source.read(0, (int) Math.min(size, UPLOAD_HEAD_BYTES)));
        RangedImageInputStream stream = new RangedImageInputStream(head, size, source, UPLOAD_HEADER_BUDGET);
        ImageReader reader = openReader(stream);
        try {
            return checkedHeader(reader, head, size).info();
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (stream.sourceFailure() != null) {
                throw stream.sourceFailure();
            }
            throw new InvalidImageException(
                    Reason.CORRUPT, "image header is corrupt or truncated: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Checks the header against the limits first, then decodes the first frame, upright. The byte
     * limit is {@code maxUploadBytes}: the worker decodes what either route accepted.
     */
    public PixelImage decode(byte[] bytes) {
        return read(bytes, limits.maxUploadBytes().toBytes(), this::decodePixels);
    }

    /**
     * Writes {@code image} in {@code format}; see {@link #encode(PixelImage, OutputOptions)}. For a
     * format without a writer (WebP) the bytes are PNG: use the other overload to learn that.
     */
    public byte[] encode(PixelImage image, String format) {
        return encode(image, OutputOptions.format(format)).data();
    }

    /**
     * Writes {@code image} in the asked format, or its source format, into memory in small parts (see
     * {@link EncodedImage}): grey stays grey, 16 bits stay
     * 16 bits in PNG and TIFF, alpha is kept in PNG, TIFF and GIF, the ICC profile in PNG, JPEG and
     * TIFF, EXIF in PNG, JPEG and TIFF. WebP, which ImageIO cannot write, is written as PNG.
     */
    public EncodedImage encode(PixelImage image, OutputOptions options) {
        String asked = options.format() != null
                ? options.format()
                : image.metadata().format() != null ? image.metadata().format() : FALLBACK_FORMAT;
        if (!CONTENT_TYPES.containsKey(asked)) {
            throw new IllegalArgumentException("no writer for format " + asked);
        }
        String format = writtenFormat(asked);
        ImageWriter writer = writerFor(format);
        ImageMetadata metadata = image.metadata();
        ICC_Profile profile = profile(metadata.iccProfile(), image.grey());
        boolean alpha = image.hasAlpha() && ALPHA_FORMATS.contains(format);
        int bitDepth = SIXTEEN_BIT_FORMATS.contains(format) ? image.bitDepth() : 8;
        // wraps the image's own samples where the layout allows: no second copy of a large image
        BufferedImage out = PixelRasters.write(image, alpha, bitDepth);

        byte[] icc = profile == null ? null : metadata.iccProfile();
        PartsOutputStream buffer = new PartsOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(buffer)) {
            writer.setOutput(stream);
            ImageWriteParam param = writeParam(writer, format, options);
            IIOMetadata tiffTags =
                    format.equals("tiff") ? TiffMetadata.forWriter(writer, out, param, icc, metadata.exif()) : null;
            writer.write(null, new IIOImage(out, null, tiffTags), param);
        } catch (IOException e) {
            throw new IllegalStateException("could not encode " + format, e);
        } finally {
            writer.dispose();
        }
        List<byte[]> parts = buffer.parts();
        if (format.equals("png") && (icc != null || metadata.exif() != null)) {
            insert(parts, EmbeddedMetadata.pngInsertAt(parts.get(0)), EmbeddedMetadata.pngChunks(icc, metadata.exif()));
        } else if (format.equals("jpeg") && (icc != null || metadata.exif() != null)) {
            insert(
                    parts,
                    EmbeddedMetadata.jpegInsertAt(parts.get(0)),
                    EmbeddedMetadata.jpegSegments(icc, metadata.exif()));
        }
        return new EncodedImage(parts, format, contentType(format));
    }

    /**
     * Refuses, from the header alone, an image that could not be written as asked: {@code format}
     * (null: the input's own) is the asked output format. Its writer's largest width and height
     * (WebP is written as PNG), and for an uncompressed format the result's estimated size
     * against {@code maxResultBytes}. What fails here would fail on every attempt in the worker.
     */
    public void checkWritable(ImageInfo input, String format) {
        String asked = format == null ? input.format() : canonicalFormat(format.toLowerCase(Locale.ROOT));
        String written = writtenFormat(asked);
        Integer maxDimension = MAX_DIMENSION.get(written);
        if (maxDimension != null && (input.width() > maxDimension || input.height() > maxDimension)) {
            throw new InvalidImageException(
                    Reason.NOT_WRITABLE,
                    "the image is " + input.width() + "x" + input.height() + "; " + written + " can hold at most "
                            + maxDimension + " pixels a side: ask for another format");
        }
        if (UNCOMPRESSED_FORMATS.contains(written)) {
            long rowBytes = ((long) input.width() * UNCOMPRESSED_BYTES_PER_PIXEL + 3) / 4 * 4;
            long estimate = rowBytes * input.height();
            long limit = limits.maxResultBytes().toBytes();
            if (estimate > limit) {
                throw new InvalidImageException(
                        Reason.NOT_WRITABLE,
                        "as " + written + " the " + input.width() + "x"
                                + input.height() + " result would have about " + estimate + " bytes; the limit is "
                                + limit
                                + " (n2n.images.max-result-bytes): ask for a compressed format such as png");
            }
        }
    }

    /** The format {@code asked} is written in: itself, or PNG where ImageIO has no writer (WebP). */
    private static String writtenFormat(String asked) {
        return ImageIO.getImageWritersByFormatName(asked).hasNext() ? asked : FALLBACK_FORMAT;
    }

    /** Puts {@code inserted} at {@code at} of the first part (the file's header is in it), copying only that part. */
    private static void insert(List<byte[]> parts, int at, byte[] inserted) {
        byte[] first = parts.remove(0);
        parts.add(0, Arrays.copyOfRange(first, at, first.length));
        parts.add(0, inserted);
        parts.add(0, Arrays.copyOf(first, at));
    }

    /** Formats an image can be written in on request (webp is written as png: there is no WebP writer). */
    public static final Set<String> OUTPUT_FORMATS = Set.of("png", "jpeg", "bmp", "gif", "tiff", "webp");

    /** Whether {@code name} (any case; jpg and tif too) is one of {@link #OUTPUT_FORMATS}. */
    public static boolean isOutputFormat(String name) {
        return OUTPUT_FORMATS.contains(canonicalFormat(name.toLowerCase(Locale.ROOT)));
    }

    /** The canonical name of a lower-case format name (jpg is jpeg, tif is tiff). */
    static String canonicalFormat(String name) {
        return switch (name) {
            case "jpg" -> "jpeg";
            case "tif" -> "tiff";
            default -> name;
        };
    }

    private interface HeaderReader<T> {
        T read(ImageReader reader, Header header) throws IOException;
    }

    /** What the header says, checked: the upright size, and the metadata found in the file. */
    private record Header(ImageInfo info, EmbeddedMetadata.Found metadata, ImageTypeSpecifier rawType) {}

    private <T> T read(byte[] file, long maxBytes, HeaderReader<T> then) {
        checkByteCount(file == null ? 0 : file.length, maxBytes);
        byte[] bytes = EmbeddedMetadata.withoutOversizedProfile(file);
        ImageReader reader = openReader(new InMemoryImageInputStream(bytes));
        try {
            return then.read(reader, checkedHeader(reader, bytes, bytes.length));
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException(Reason.CORRUPT, "image data is corrupt or truncated: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    private static void checkByteCount(long size, long maxBytes) {
        if (size == 0) {
            throw new InvalidImageException(Reason.EMPTY, "image is empty");
        }
        if (size > maxBytes) {
            throw new InvalidImageException(
                    Reason.TOO_MANY_BYTES, "image has " + size + " bytes; the limit is " + maxBytes);
        }
    }

    private static ImageReader openReader(ImageInputStream stream) {
        Iterator<ImageReader> readers;
        try {
            readers = ImageIO.getImageReaders(stream);
        } catch (RuntimeException e) {
            throw new InvalidImageException(Reason.CORRUPT, "image could not be read: " + e.getMessage(), e);
        }
        if (!readers.hasNext()) {
            throw new InvalidImageException(Reason.UNSUPPORTED_FORMAT, "not an image in a supported format");
        }
        ImageReader reader = readers.next();
        reader.setInput(stream, true, true);
        return reader;
    }

    /** {@code bytes}: the file, or its head when {@code size} is larger. */
    private Header checkedHeader(ImageReader reader, byte[] bytes, long size) throws IOException {
        String format = canonicalFormat(reader.getFormatName().toLowerCase(Locale.ROOT));
        if (!limits.formats().contains(format)) {
            throw new InvalidImageException(
                    Reason.UNSUPPORTED_FORMAT, "format " + format + " is not accepted; accepted: " + limits.formats());
        }
        if (format.equals("bmp")) {
            checkPixels("image is", HeaderChecks.bmpSize(bytes));
        }
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
            throw new InvalidImageException(Reason.CORRUPT, "image header gives no size");
        }
        checkPixels("image is", new long[] {width, height});
        if (format.equals("tiff")) {
            // a tile is decoded whole, so a huge declared tile is a bomb even in a small image
            long[] tile = HeaderChecks.tiffTileSize(bytes);
            if (tile == null && bytes.length < size && reader.isImageTiled(0)) {
                // the directory lies past the head (written after the pixels): ask the reader, which fetched it
                tile = new long[] {reader.getTileWidth(0), reader.getTileHeight(0)};
            }
            checkPixels("a TIFF tile is", tile);
        }
        if (format.equals("webp")) {
            checkWebp(bytes, size, width, height);
        }
        ImageTypeSpecifier rawType = reader.getRawImageType(0);
        if (rawType != null) {
            checkChannels(rawType.getSampleModel());
        }
        EmbeddedMetadata.Found metadata = EmbeddedMetadata.read(format, bytes);
        boolean swap = ExifOrientation.swapsAxes(metadata.orientation());
        ImageInfo info = new ImageInfo(format, swap ? height : width, swap ? width : height);
        return new Header(info, metadata, rawType);
    }

    private void checkPixels(String what, long[] size) {
        if (size != null && size[0] * size[1] > limits.maxPixels()) {
            throw new InvalidImageException(
                    Reason.TOO_MANY_PIXELS,
                    what + " " + size[0] + "x" + size[1] + " (" + size[0] * size[1] + " pixels); the limit is "
                            + limits.maxPixels());
        }
    }

    /** The size getWidth/getHeight give is the VP8X canvas; the bitstream inside declares its own. */
    private void checkWebp(byte[] bytes, long size, int width, int height) {
        if (HeaderChecks.isTruncatedWebp(bytes, size)) {
            throw new InvalidImageException(
                    Reason.CORRUPT, "image data is corrupt or truncated: the WebP file is cut short");
        }
        long[] frame = HeaderChecks.webpFrameSize(bytes);
        checkPixels("the WebP frame is", frame);
        if (frame != null && (frame[0] != width || frame[1] != height)) {
            throw new InvalidImageException(
                    Reason.CORRUPT,
                    "image data is corrupt: the WebP canvas is " + width + "x" + height + " but its image " + frame[0]
                            + "x" + frame[1]);
        }
    }

    private static void checkChannels(SampleModel samples) {
        int bits = 0;
        for (int size : samples.getSampleSize()) {
            bits = Math.max(bits, size);
        }
        if (samples.getNumBands() > MAX_CHANNELS || bits > 32) {
            throw new InvalidImageException(
                    Reason.UNSUPPORTED_FORMAT,
                    "image has " + samples.getNumBands() + " channels of up to " + bits + " bits; at most "
                            + MAX_CHANNELS + " of up to 32 are supported");
        }
    }

    private PixelImage decodePixels(ImageReader reader, Header header) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        if (isEncodedInOwnProfile(header.rawType())) {
            // ask for the samples as stored: the JPEG reader would otherwise convert them to sRGB
            param.setDestinationType(header.rawType());
        } else {
            ImageTypeSpecifier layout = pixelImageLayout(reader);
            if (layout != null) {
                param.setDestinationType(layout);
            }
        }
        List<String> truncations = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> {
            if (TRUNCATION_WARNING.matcher(warning).find()) {
                truncations.add(warning);
            }
        });
        BufferedImage image = reader.read(0, param);
        if (!truncations.isEmpty()) {
            // the JPEG readers fill in what is missing and only warn; a half-grey result is not an image we accept
            throw new InvalidImageException(
                    Reason.CORRUPT, "image data is corrupt or truncated: " + truncations.get(0));
        }
        PixelRasters.Decoded decoded = PixelRasters.read(image);
        PixelImage stored = decoded.pixels();
        byte[] icc = header.metadata().iccProfile();
        // a profile describes the stored samples: it goes when they were converted, or when it does not fit them
        boolean keepProfile = !decoded.convertedToSrgb() && profile(icc, stored.grey()) != null;
        ImageMetadata metadata = new ImageMetadata(
                header.info().format(),
                keepProfile ? icc : null,
                header.metadata().exif());
        return ExifOrientation.upright(stored, header.metadata().orientation(), metadata);
    }

    /**
     * Of the layouts the reader can decode to, one that is a PixelImage's own (interleaved grey or
     * RGB, then alpha) with the same colours, alpha and precision as its default, so that the decoded
     * raster is used as it is instead of copied; null if none or if the default already is one.
     */
    private static ImageTypeSpecifier pixelImageLayout(ImageReader reader) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (!types.hasNext()) {
            return null;
        }
        ImageTypeSpecifier preferred = types.next();
        if (PixelRasters.isPixelImageLayout(preferred)) {
            return null;
        }
        while (types.hasNext()) {
            ImageTypeSpecifier type = types.next();
            if (PixelRasters.isPixelImageLayout(type) && PixelRasters.sameKind(preferred, type)) {
                return type;
            }
        }
        return null;
    }

    private static boolean isEncodedInOwnProfile(ImageTypeSpecifier rawType) {
        if (rawType == null) {
            return false;
        }
        ColorSpace space = rawType.getColorModel().getColorSpace();
        return !space.isCS_sRGB()
                && (space.getType() == ColorSpace.TYPE_RGB || space.getType() == ColorSpace.TYPE_GRAY);
    }

    /** The profile if Java can parse it and it describes grey or RGB samples as the image has; otherwise null. */
    private static ICC_Profile profile(byte[] icc, boolean grey) {
        if (icc == null) {
            return null;
        }
        try {
            ICC_Profile profile = ICC_Profile.getInstance(icc);
            int expected = grey ? ColorSpace.TYPE_GRAY : ColorSpace.TYPE_RGB;
            return profile.getColorSpaceType() == expected ? profile : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static ImageWriter writerFor(String format) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        ImageWriter first = null;
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            // the JDK's TIFF writer, unlike TwelveMonkeys', writes 16-bit samples
            if (!format.equals("tiff") || writer.getClass().getName().startsWith("com.sun.")) {
                return writer;
            }
            first = first == null ? writer : first;
        }
        return first;
    }

    private static ImageWriteParam writeParam(ImageWriter writer, String format, OutputOptions options) {
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (format.equals("jpeg")) {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(options.jpegQuality());
        } else if (format.equals("tiff")) {
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionType("LZW");
        }
        return param;
    }
}
