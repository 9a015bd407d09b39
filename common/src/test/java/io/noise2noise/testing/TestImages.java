package io.noise2noise.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Generated test images: a seeded synthetic scene, Gaussian noise as the papers add it, PSNR. */
public final class TestImages {

    private TestImages() {}

    /** Smooth gradients with a few flat shapes and edges, like a simple photograph. */
    public static BufferedImage scene(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = 60 + 120 * x / width;
                int g = 80 + 100 * y / height;
                int b = 150 - 60 * (x + y) / (width + height);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        for (int i = 0; i < 6; i++) {
            g.setColor(new Color(random.nextInt(200) + 30, random.nextInt(200) + 30, random.nextInt(200) + 30));
            int w = width / 6 + random.nextInt(width / 4);
            int h = height / 6 + random.nextInt(height / 4);
            int x = random.nextInt(Math.max(1, width - w));
            int y = random.nextInt(Math.max(1, height - h));
            if (i % 2 == 0) {
                g.fillOval(x, y, w, h);
            } else {
                g.fillRect(x, y, w, h);
            }
        }
        g.dispose();
        return image;
    }

    /** Adds N(0, sigma²) per channel on the 0–255 scale, rounded and clipped to 8 bits. */
    public static BufferedImage withGaussianNoise(BufferedImage clean, double sigma, long seed) {
        Random random = new Random(seed);
        BufferedImage noisy = new BufferedImage(clean.getWidth(), clean.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < clean.getHeight(); y++) {
            for (int x = 0; x < clean.getWidth(); x++) {
                int p = clean.getRGB(x, y);
                int r = clip(((p >> 16) & 0xff) + random.nextGaussian() * sigma);
                int g = clip(((p >> 8) & 0xff) + random.nextGaussian() * sigma);
                int b = clip((p & 0xff) + random.nextGaussian() * sigma);
                noisy.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return noisy;
    }

    public static double psnr(BufferedImage reference, BufferedImage test) {
        double squared = 0;
        for (int y = 0; y < reference.getHeight(); y++) {
            for (int x = 0; x < reference.getWidth(); x++) {
                int a = reference.getRGB(x, y);
                int b = test.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = ((a >> shift) & 0xff) - ((b >> shift) & 0xff);
                    squared += d * d;
                }
            }
        }
        double mse = squared / (3.0 * reference.getWidth() * reference.getHeight());
        return 10 * Math.log10(255.0 * 255.0 / mse);
    }

    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, format, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalArgumentException("not an image");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int clip(double value) {
        return (int) Math.max(0, Math.min(255, Math.round(value)));
    }
}
