package io.noise2noise.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import javax.imageio.ImageTypeSpecifier;

/**
 * Moves samples between ImageIO's BufferedImages and {@link PixelImage}. A decoded raster that is
 * already laid out as a PixelImage (interleaved grey or RGB, then alpha, 8 or 16 bits) becomes one
 * without a copy, and a PixelImage is written through a BufferedImage that wraps its samples, so a
 * large image exists once in memory, not once per step. Other layouts are converted a row at a time.
 */
final class PixelRasters {

    /** The decoded pixels (before orientation); {@code convertedToSrgb} when they are no longer in the file's colour space. */
    record Decoded(PixelImage pixels, boolean convertedToSrgb) {}

    private PixelRasters() {}

    /** Whether a reader's image type decodes straight into a PixelImage's layout. */
    static boolean isPixelImageLayout(ImageTypeSpecifier type) {
        ColorModel model = type.getColorModel();
        int space = model.getColorSpace().getType();
        return (space == ColorSpace.TYPE_RGB || space == ColorSpace.TYPE_GRAY)
                && !model.isAlphaPremultiplied()
                && isInterleavedInOrder(model, type.getSampleModel());
    }

    /** Whether both give the same colour space type, number of colours, alpha and (8 or 16 bits) precision. */
    static boolean sameKind(ImageTypeSpecifier a, ImageTypeSpecifier b) {
        ColorModel ma = a.getColorModel();
        ColorModel mb = b.getColorModel();
        return ma.getColorSpace().getType() == mb.getColorSpace().getType()
                && ma.getNumColorComponents() == mb.getNumColorComponents()
                && ma.hasAlpha() == mb.hasAlpha()
                && (maxComponentSize(ma) > 8) == (maxComponentSize(mb) > 8);
    }

    static Decoded read(BufferedImage image) {
        ColorModel model = image.getColorModel();
        if (model instanceof IndexColorModel palette) {
            return new Decoded(readPalette(image, palette), false);
        }
        int space = model.getColorSpace().getType();
        if ((space == ColorSpace.TYPE_RGB || space == ColorSpace.TYPE_GRAY) && hasPlainSamples(image)) {
            if (model.isAlphaPremultiplied()) {
                image.coerceData(false);
            }
            return new Decoded(readSamples(image), false);
        }
        // CMYK, YCbCr, Lab, packed oddities: let the colour management convert to sRGB
        BufferedImage srgb = newImage(
                image.getWidth(), image.getHeight(), false, model.hasAlpha(), maxComponentSize(model) > 8 ? 16 : 8);
        new ColorConvertOp(null).filter(image, srgb);
        return new Decoded(readSamples(srgb), true);
    }

    /**
     * A BufferedImage of the pixels with or without alpha at {@code bitDepth} bits: the samples
     * themselves when that is how they are held, else a converted copy (alpha dropped, 16 bits
     * rounded to 8).
     */
    static BufferedImage write(PixelImage pixels, boolean alpha, int bitDepth) {
        PixelImage source = alpha == pixels.hasAlpha() && bitDepth == pixels.bitDepth()
                ? pixels
                : converted(pixels, alpha, bitDepth);
        int width = source.width();
        int height = source.height();
        int channels = source.channels();
        DataBuffer data = source.bytes() != null
                ? new DataBufferByte(source.bytes(), source.bytes().length)
                : new DataBufferUShort(source.shorts(), source.shorts().length);
        int[] offsets = new int[channels];
        for (int i = 0; i < channels; i++) {
            offsets[i] = i;
        }
        WritableRaster raster =
                Raster.createInterleavedRaster(data, width, height, width * channels, channels, offsets, null);
        return new BufferedImage(colourModel(source.grey(), alpha, bitDepth), raster, false, null);
    }

    private static PixelImage converted(PixelImage pixels, boolean alpha, int bitDepth) {
        PixelImage out =
                PixelImage.blank(pixels.width(), pixels.height(), pixels.grey(), alpha, bitDepth, pixels.metadata());
        int colours = pixels.grey() ? 1 : 3;
        int from = pixels.channels();
        int to = out.channels();
        int fromMax = pixels.maxValue();
        int toMax = out.maxValue();
        long pixelCount = (long) pixels.width() * pixels.height();
        for (int p = 0; p < pixelCount; p++) {
            int channelsKept = alpha ? colours + 1 : colours;
            for (int c = 0; c < channelsKept; c++) {
                int value = pixels.get(p * from + c);
                out.set(p * to + c, fromMax == toMax ? value : (int) ((value * (long) toMax + fromMax / 2) / fromMax));
            }
        }
        return out;
    }

    private static ColorModel colourModel(boolean grey, boolean alpha, int bitDepth) {
        ColorSpace colours = ColorSpace.getInstance(grey ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        return new ComponentColorModel(
                colours,
                alpha,
                false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE,
                bitDepth > 8 ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE);
    }

    private static BufferedImage newImage(int width, int height, boolean grey, boolean alpha, int bitDepth) {
        ColorModel model = colourModel(grey, alpha, bitDepth);
        return new BufferedImage(model, model.createCompatibleWritableRaster(width, height), false, null);
    }

    private static PixelImage readPalette(BufferedImage image, IndexColorModel palette) {
        int width = image.getWidth();
        int height = image.getHeight();
        boolean grey = isGreyPalette(palette);
        boolean alpha = palette.hasAlpha();
        PixelImage out = PixelImage.blank(width, height, grey, alpha, 8, null);
        int channels = out.channels();
        int[] argb = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, argb, 0, width);
            int at = y * width * channels;
            for (int x = 0; x < width; x++, at += channels) {
                int p = argb[x];
                if (grey) {
                    out.set(at, p & 0xff);
                } else {
                    out.set(at, (p >> 16) & 0xff);
                    out.set(at + 1, (p >> 8) & 0xff);
                    out.set(at + 2, p & 0xff);
                }
                if (alpha) {
                    out.set(at + channels - 1, p >>> 24);
                }
            }
        }
        return out;
    }

    private static boolean isGreyPalette(IndexColorModel palette) {
        for (int i = 0; i < palette.getMapSize(); i++) {
            if (palette.getRed(i) != palette.getGreen(i) || palette.getGreen(i) != palette.getBlue(i)) {
                return false;
            }
        }
        return true;
    }

    /** Component or packed samples of up to 16 integer bits, or float samples (taken as [0, 1]). */
    private static boolean hasPlainSamples(BufferedImage image) {
        ColorModel model = image.getColorModel();
        if (!(model instanceof ComponentColorModel || model instanceof DirectColorModel)) {
            return false;
        }
        if (image.getRaster().getNumBands() != model.getNumComponents()) {
            return false;
        }
        int type = image.getRaster().getDataBuffer().getDataType();
        return type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE || maxComponentSize(model) <= 16;
    }

    private static PixelImage readSamples(BufferedImage image) {
        ColorModel model = image.getColorModel();
        WritableRaster raster = image.getRaster();
        boolean grey = model.getNumColorComponents() == 1;
        boolean alpha = model.hasAlpha();
        PixelImage adopted = adopted(raster, model, grey, alpha);
        if (adopted != null) {
            return adopted;
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int type = raster.getDataBuffer().getDataType();
        boolean floating = type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE;
        int bitDepth = floating || maxComponentSize(model) > 8 ? 16 : 8;
        PixelImage out = PixelImage.blank(width, height, grey, alpha, bitDepth, null);
        int channels = out.channels();
        int max = out.maxValue();
        float[] scale = new float[channels];
        for (int b = 0; b < channels; b++) {
            scale[b] = floating ? max : (float) max / ((1 << model.getComponentSize(b)) - 1);
        }
        float[] row = new float[width * channels];
        int rowBase = raster.getMinY();
        for (int y = 0; y < height; y++) {
            raster.getPixels(raster.getMinX(), rowBase + y, width, 1, row);
            int at = y * width * channels;
            for (int i = 0; i < row.length; i++) {
                float value = row[i] * scale[i % channels];
                out.set(at + i, value > 0 ? Math.round(Math.min(value, max)) : 0);
            }
        }
        return out;
    }

    /** The raster's own sample array as a PixelImage, when it is laid out as one; otherwise null. */
    private static PixelImage adopted(WritableRaster raster, ColorModel model, boolean grey, boolean alpha) {
        if (raster.getParent() != null
                || raster.getMinX() != 0
                || raster.getMinY() != 0
                || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0
                || !isInterleavedInOrder(model, raster.getSampleModel())) {
            return null;
        }
        int width = raster.getWidth();
        int height = raster.getHeight();
        int bands = raster.getNumBands();
        if (((PixelInterleavedSampleModel) raster.getSampleModel()).getScanlineStride() != width * bands) {
            return null;
        }
        DataBuffer data = raster.getDataBuffer();
        long length = (long) width * height * bands;
        if (data.getNumBanks() != 1 || data.getOffset() != 0 || data.getSize() != length) {
            return null;
        }
        if (data instanceof DataBufferByte bytes && bytes.getData().length == length) {
            return new PixelImage(width, height, grey, alpha, bytes.getData(), null, null);
        }
        if (data instanceof DataBufferUShort shorts && shorts.getData().length == length) {
            return new PixelImage(width, height, grey, alpha, null, shorts.getData(), null);
        }
        return null;
    }

    /** Component samples, one byte or short each at full 8 or 16 bits, interleaved colour-then-alpha. */
    private static boolean isInterleavedInOrder(ColorModel model, SampleModel samples) {
        if (!(model instanceof ComponentColorModel) || !(samples instanceof PixelInterleavedSampleModel interleaved)) {
            return false;
        }
        int bands = samples.getNumBands();
        int bits = switch (samples.getDataType()) {
            case DataBuffer.TYPE_BYTE -> 8;
            case DataBuffer.TYPE_USHORT -> 16;
            default -> 0;
        };
        if (bits == 0
                || bands != model.getNumComponents()
                || interleaved.getPixelStride() != bands
                || model.getNumColorComponents() != 1 && model.getNumColorComponents() != 3) {
            return false;
        }
        int[] offsets = interleaved.getBandOffsets();
        for (int b = 0; b < bands; b++) {
            if (offsets[b] != b || model.getComponentSize(b) != bits) {
                return false;
            }
        }
        return true;
    }

    private static int maxComponentSize(ColorModel model) {
        int max = 0;
        for (int size : model.getComponentSize()) {
            max = Math.max(max, size);
        }
        return max;
    }
}
