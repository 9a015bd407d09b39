package io.noise2noise.image;

/** Random access to a file that is not held in memory, e.g. an S3 object read by ranged GETs. */
@FunctionalInterface
public interface RangeReader {

    /** Up to {@code length} bytes from {@code offset}; fewer only at the end of the file. */
    byte[] read(long offset, int length);
}
