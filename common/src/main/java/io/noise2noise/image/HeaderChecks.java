package io.noise2noise.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Checks on the raw bytes that ImageIO's readers make too late, or not at all. */
final class HeaderChecks {

    private HeaderChecks() {}

    /**
     * The width and height a BMP header declares, or null. The JDK reader validates them against the
     * data first, which refuses a bomb as "corrupt" rather than as too large.
     */
    static long[] bmpSize(byte[] bmp) {
        if (bmp.length < 26) {
            return null;
        }
        ByteBuffer data = ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN);
        if (data.getInt(14) == 12) {
            return new long[] {Short.toUnsignedInt(data.getShort(18)), Short.toUnsignedInt(data.getShort(20))};
        }
        // a negative height means rows are stored top-down
        return new long[] {Math.abs((long) data.getInt(18)), Math.abs((long) data.getInt(22))};
    }

    /** The tile size a TIFF's first directory declares, or null when it is not tiled. */
    static long[] tiffTileSize(byte[] tiff) {
        TiffDirectory directory = TiffDirectory.parse(tiff);
        if (directory == null) {
            return null;
        }
        int width = directory.intValue(TiffDirectory.TILE_WIDTH).orElse(0);
        int height = directory.intValue(TiffDirectory.TILE_LENGTH).orElse(0);
        return width == 0 && height == 0 ? null : new long[] {width, height};
    }

    /**
     * Whether a WebP file of {@code size} bytes, of which {@code webp} is the head or all, is shorter
     * than its RIFF header says: its decoder would quietly read zeros.
     */
    static boolean isTruncatedWebp(byte[] webp, long size) {
        if (webp.length < 12) {
            return true;
        }
        long declared = Integer.toUnsignedLong(
                ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        return size < declared + 8;
    }

    /** The size the first VP8L or VP8 (key frame) bitstream of a still WebP declares, or null. */
    static long[] webpFrameSize(byte[] webp) {
        ByteBuffer data = ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN);
        long at = 12;
        while (at + 8 <= webp.length) {
            String type = new String(webp, (int) at, 4, StandardCharsets.ISO_8859_1);
            long length = Integer.toUnsignedLong(data.getInt((int) at + 4));
            int start = (int) at + 8;
            if (type.equals("ANIM")) {
                return null;
            }
            if (type.equals("VP8L") && length >= 5 && start + 5 <= webp.length) {
                int fields = data.getInt(start + 1);
                return new long[] {(fields & 0x3fff) + 1, ((fields >>> 14) & 0x3fff) + 1};
            }
            if (type.equals("VP8 ") && length >= 10 && start + 10 <= webp.length) {
                return new long[] {data.getShort(start + 6) & 0x3fff, data.getShort(start + 8) & 0x3fff};
            }
            at = start + length + (length & 1);
        }
        return null;
    }
}
