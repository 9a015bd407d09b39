package io.noise2noise.image;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects written bytes in parts of 256 KB instead of one growing array, which would hold up to
 * twice the output while it grows and once more when copied out. The parts stay below half a G1
 * region, so they are ordinary objects, not humongous ones needing contiguous free regions.
 */
final class PartsOutputStream extends OutputStream {

    private static final int PART = 256 * 1024;

    private final List<byte[]> parts = new ArrayList<>();
    private byte[] current = new byte[PART];
    private int used;

    @Override
    public void write(int b) {
        if (used == current.length) {
            next();
        }
        current[used++] = (byte) b;
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        while (length > 0) {
            if (used == current.length) {
                next();
            }
            int n = Math.min(length, current.length - used);
            System.arraycopy(data, offset, current, used, n);
            used += n;
            offset += n;
            length -= n;
        }
    }

    private void next() {
        parts.add(current);
        current = new byte[PART];
        used = 0;
    }

    /** Every part, each exactly full (the last one trimmed). */
    List<byte[]> parts() {
        List<byte[]> all = new ArrayList<>(parts);
        if (used > 0) {
            all.add(Arrays.copyOf(current, used));
        }
        return all;
    }
}
