package io.noise2noise.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;

/** Moves samples between ImageIO's BufferedImages and the float arrays of {@link PixelImage}. */
final class PixelRasters {

    /** Samples of a decoded image as stored (before orientation); {@code convertedToSrgb} when they are no longer in the file's colour space. */
    record Samples(int width, int height, float[] rgb, float[] alpha, boolean grey, int bitDepth, boolean convertedToSrgb) {
    }

    private PixelRasters() {
    }

    static Samples read(BufferedImage image) {
        ColorModel model = image.getColorModel();
        if (model instanceof IndexColorModel palette) {
            return readPalette(image, palette);
        }
        int space = model.getColorSpace().getType();
        if ((space == ColorSpace.TYPE_RGB || space == ColorSpace.TYPE_GRAY) && hasPlainSamples(image)) {
            if (model.isAlphaPremultiplied()) {
                image.coerceData(false);
            }
            return readSamples(image, false);
        }
        // CMYK, YCbCr, Lab, packed oddities: let the colour management convert to sRGB
        BufferedImage srgb = newImage(image.getWidth(), image.getHeight(), false, model.hasAlpha(),
                maxComponentSize(model) > 8 ? 16 : 8);
        new ColorConvertOp(null).filter(image, srgb);
        return readSamples(srgb, true);
    }

    /**
     * An image of the given layout holding the pixels; samples are rounded to {@code bitDepth} bits.
     * A grey image's channels are averaged (denoising may have moved them apart slightly).
     */
    static BufferedImage write(PixelImage pixels, boolean grey, boolean alpha, int bitDepth) {
        int width = pixels.width();
        int height = pixels.height();
        BufferedImage image = newImage(width, height, grey, alpha, bitDepth);
        WritableRaster raster = image.getRaster();
        int max = (1 << bitDepth) - 1;
        float[] rgb = pixels.rgb();
        int[] samples = new int[width * height];
        int colours = grey ? 1 : 3;
        for (int band = 0; band < colours; band++) {
            for (int i = 0; i < samples.length; i++) {
                float value = grey ? (rgb[3 * i] + rgb[3 * i + 1] + rgb[3 * i + 2]) / 3f : rgb[3 * i + band];
                samples[i] = quantise(value, max);
            }
            raster.setSamples(0, 0, width, height, band, samples);
        }
        if (alpha) {
            float[] values = pixels.alpha();
            for (int i = 0; i < samples.length; i++) {
                samples[i] = quantise(values[i], max);
            }
            raster.setSamples(0, 0, width, height, colours, samples);
        }
        return image;
    }

    private static BufferedImage newImage(int width, int height, boolean grey, boolean alpha, int bitDepth) {
        ColorSpace colours = ColorSpace.getInstance(grey ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        ColorModel model = new ComponentColorModel(colours, alpha, false, alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE,
                bitDepth > 8 ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE);
        return new BufferedImage(model, model.createCompatibleWritableRaster(width, height), false, null);
    }

    private static Samples readPalette(BufferedImage image, IndexColorModel palette) {
        int width = image.getWidth();
        int height = image.getHeight();
        int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
        float[] rgb = new float[argb.length * 3];
        float[] alpha = palette.hasAlpha() ? new float[argb.length] : null;
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            rgb[3 * i] = ((p >> 16) & 0xff) / 255f;
            rgb[3 * i + 1] = ((p >> 8) & 0xff) / 255f;
            rgb[3 * i + 2] = (p & 0xff) / 255f;
            if (alpha != null) {
                alpha[i] = (p >>> 24) / 255f;
            }
        }
        return new Samples(width, height, rgb, alpha, isGreyPalette(palette), 8, false);
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
        int type = image.getRaster().getDataBuffer().getDataType();
        return type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE || maxComponentSize(model) <= 16;
    }

    private static Samples readSamples(BufferedImage image, boolean converted) {
        ColorModel model = image.getColorModel();
        WritableRaster raster = image.getRaster();
        int width = image.getWidth();
        int height = image.getHeight();
        int pixels = width * height;
        boolean grey = model.getNumColorComponents() == 1;
        int type = raster.getDataBuffer().getDataType();
        boolean floating = type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE;
        float[] band = new float[pixels];
        float[] rgb = new float[pixels * 3];
        for (int b = 0; b < model.getNumColorComponents(); b++) {
            raster.getSamples(0, 0, width, height, b, band);
            float max = floating ? 1f : (1 << model.getComponentSize(b)) - 1;
            for (int i = 0; i < pixels; i++) {
                float value = clamp(band[i] / max);
                if (grey) {
                    rgb[3 * i] = value;
                    rgb[3 * i + 1] = value;
                    rgb[3 * i + 2] = value;
                } else {
                    rgb[3 * i + b] = value;
                }
            }
        }
        float[] alpha = null;
        if (model.hasAlpha()) {
            int a = model.getNumColorComponents();
            alpha = new float[pixels];
            raster.getSamples(0, 0, width, height, a, alpha);
            float max = floating ? 1f : (1 << model.getComponentSize(a)) - 1;
            for (int i = 0; i < pixels; i++) {
                alpha[i] = clamp(alpha[i] / max);
            }
        }
        int bitDepth = floating || maxComponentSize(model) > 8 ? 16 : 8;
        return new Samples(width, height, rgb, alpha, grey, bitDepth, converted);
    }

    private static int maxComponentSize(ColorModel model) {
        int max = 0;
        for (int size : model.getComponentSize()) {
            max = Math.max(max, size);
        }
        return max;
    }

    private static float clamp(float value) {
        return value > 0 ? Math.min(1f, value) : 0f;
    }

    private static int quantise(float value, int max) {
        return Math.round(clamp(value) * max);
    }
}
