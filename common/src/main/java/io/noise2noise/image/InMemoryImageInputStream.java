package io.noise2noise.image;

import java.io.IOException;
import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * The image bytes as an ImageInputStream that gives up on a reader which keeps reading past their
 * end. Some decoders (TwelveMonkeys' WebP bit reader) swallow each EOFException and go on decoding
 * zeros, one exception per byte: a few hundred bytes declaring a large image would then take minutes.
 * After {@value #READS_PAST_END} such reads this stream throws an IIOException, which they do not catch.
 */
final class InMemoryImageInputStream extends ImageInputStreamImpl {

    private static final int READS_PAST_END = 1024;

    private final byte[] data;
    private int readsPastEnd;

    InMemoryImageInputStream(byte[] data) {
        this.data = data;
    }

    @Override
    public int read() throws IOException {
        if (streamPos >= data.length) {
            return pastEnd();
        }
        bitOffset = 0;
        return data[(int) streamPos++] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            return pastEnd();
        }
        bitOffset = 0;
        int count = (int) Math.min(length, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, buffer, offset, count);
        streamPos += count;
        return count;
    }

    @Override
    public long length() {
        return data.length;
    }

    @Override
    public boolean isCached() {
        return true;
    }

    @Override
    public boolean isCachedMemory() {
        return true;
    }

    private int pastEnd() throws IIOException {
        if (++readsPastEnd > READS_PAST_END) {
            throw new IIOException("the decoder keeps reading past the end of the data (" + data.length + " bytes)");
        }
        return -1;
    }
}
