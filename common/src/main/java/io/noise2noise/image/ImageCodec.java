package io.noise2noise.image;

import io.noise2noise.image.InvalidImageException.Reason;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * The one place images are read and written: header probing against {@link ImageLimits}, decoding
 * to {@link PixelImage}, and encoding back to the client's format.
 */
public class ImageCodec {

    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "png", "image/png", "jpeg", "image/jpeg", "bmp", "image/bmp", "gif", "image/gif");
    private static final float JPEG_QUALITY = 0.95f;

    private final ImageLimits limits;

    public ImageCodec(ImageLimits limits) {
        this.limits = limits;
        ImageIO.setUseCache(false);
    }

    public static String contentType(String format) {
        return CONTENT_TYPES.getOrDefault(format, "application/octet-stream");
    }

    /** Reads only the header: format and size, checked against the limits. */
    public ImageInfo probe(byte[] bytes) {
        checkByteCount(bytes);
        ImageReader reader = openReader(bytes);
        try {
            return checkedInfo(reader);
        } finally {
            reader.dispose();
        }
    }

    /** Checks the header against the limits first, then decodes the first frame. */
    public PixelImage decode(byte[] bytes) {
        checkByteCount(bytes);
        ImageReader reader = openReader(bytes);
        try {
            checkedInfo(reader);
            return toPixels(reader.read(0));
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidImageException invalid) {
                throw invalid;
            }
            throw new InvalidImageException(Reason.CORRUPT, "image data is corrupt or truncated: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /** Writes {@code image} in {@code format}; grey images are written grey, alpha is kept where the format has it. */
    public byte[] encode(PixelImage image, String format) {
        String target = format.toLowerCase(Locale.ROOT);
        boolean keepAlpha = image.alpha() != null && !target.equals("jpeg") && !target.equals("bmp");
        BufferedImage out = fromPixels(image, keepAlpha);
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(target);
        if (!writers.hasNext()) {
            throw new IllegalArgumentException("no writer for format " + format);
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(buffer)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (target.equals("jpeg")) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(JPEG_QUALITY);
            }
            writer.write(null, new IIOImage(out, null, null), param);
        } catch (IOException e) {
            throw new IllegalStateException("could not encode " + format, e);
        } finally {
            writer.dispose();
        }
        return buffer.toByteArray();
    }

    private void checkByteCount(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidImageException(Reason.EMPTY, "image is empty");
        }
        if (bytes.length > limits.maxBytes().toBytes()) {
            throw new InvalidImageException(Reason.TOO_MANY_BYTES,
                    "image has " + bytes.length + " bytes; the limit is " + limits.maxBytes().toBytes());
        }
    }

    private static ImageReader openReader(byte[] bytes) {
        try {
            ImageInputStream stream = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes));
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new InvalidImageException(Reason.UNSUPPORTED_FORMAT, "not an image in a supported format");
            }
            ImageReader reader = readers.next();
            reader.setInput(stream, true, true);
            return reader;
        } catch (IOException e) {
            throw new InvalidImageException(Reason.CORRUPT, "image could not be read: " + e.getMessage(), e);
        }
    }

    private ImageInfo checkedInfo(ImageReader reader) {
        try {
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (!limits.formats().contains(format)) {
                throw new InvalidImageException(Reason.UNSUPPORTED_FORMAT,
                        "format " + format + " is not accepted; accepted: " + limits.formats());
            }
            ImageInfo info = new ImageInfo(format, reader.getWidth(0), reader.getHeight(0));
            if (info.width() <= 0 || info.height() <= 0) {
                throw new InvalidImageException(Reason.CORRUPT, "image header gives no size");
            }
            if (info.pixels() > limits.maxPixels()) {
                throw new InvalidImageException(Reason.TOO_MANY_PIXELS, "image is " + info.width() + "x"
                        + info.height() + " (" + info.pixels() + " pixels); the limit is " + limits.maxPixels());
            }
            return info;
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new InvalidImageException(Reason.CORRUPT, "image header is corrupt: " + e.getMessage(), e);
        }
    }

    private static PixelImage toPixels(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        boolean hasAlpha = image.getColorModel().hasAlpha();
        boolean grey = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        float[] rgb = new float[width * height * 3];
        float[] alpha = hasAlpha ? new float[width * height] : null;
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            rgb[3 * i] = ((p >> 16) & 0xff) / 255f;
            rgb[3 * i + 1] = ((p >> 8) & 0xff) / 255f;
            rgb[3 * i + 2] = (p & 0xff) / 255f;
            if (alpha != null) {
                alpha[i] = ((p >>> 24) & 0xff) / 255f;
            }
        }
        return new PixelImage(width, height, rgb, alpha, grey);
    }

    private static BufferedImage fromPixels(PixelImage image, boolean keepAlpha) {
        int width = image.width();
        int height = image.height();
        float[] rgb = image.rgb();
        if (image.grey() && !keepAlpha) {
            BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            int[] samples = new int[width * height];
            for (int i = 0; i < samples.length; i++) {
                samples[i] = toByte((rgb[3 * i] + rgb[3 * i + 1] + rgb[3 * i + 2]) / 3f);
            }
            out.getRaster().setSamples(0, 0, width, height, 0, samples);
            return out;
        }
        BufferedImage out = new BufferedImage(width, height,
                keepAlpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int[] argb = new int[width * height];
        for (int i = 0; i < argb.length; i++) {
            int a = keepAlpha ? toByte(image.alpha()[i]) : 0xff;
            argb[i] = a << 24 | toByte(rgb[3 * i]) << 16 | toByte(rgb[3 * i + 1]) << 8 | toByte(rgb[3 * i + 2]);
        }
        out.setRGB(0, 0, width, height, argb, 0, width);
        return out;
    }

    private static int toByte(float value) {
        return Math.round(Math.min(1f, Math.max(0f, value)) * 255f);
    }
}
