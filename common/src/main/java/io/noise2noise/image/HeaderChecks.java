package io.noise2noise.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Checks on the raw bytes that ImageIO's readers make too late, or not at all. */
final class HeaderChecks {

    private HeaderChecks() {
    }

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

    /** Whether a WebP file is shorter than its RIFF header says: its decoder would quietly read zeros. */
    static boolean isTruncatedWebp(byte[] webp) {
        if (webp.length < 12) {
            return true;
        }
        long declared = Integer.toUnsignedLong(ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        return webp.length < declared + 8;
    }
}
