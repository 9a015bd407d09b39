package io.noise2noise.image;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import javax.imageio.IIOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * A file of known size as an ImageInputStream: its head in memory, the rest fetched on demand in
 * pages, at most {@code budget} bytes of them, so a header probe never pulls in the whole file (a
 * reader that wants more gets an IIOException). A failure of the source itself is kept and
 * rethrown by the codec as it is, not as a corrupt image.
 */
final class RangedImageInputStream extends ImageInputStreamImpl {

    static final int PAGE = 64 << 10;
    private static final int READS_PAST_END = 1024;

    private final byte[] head;
    private final long size;
    private final RangeReader source;
    private final long budget;
    private final Map<Long, byte[]> pages = new HashMap<>();
    private long fetched;
    private int readsPastEnd;
    private RuntimeException sourceFailure;

    RangedImageInputStream(byte[] head, long size, RangeReader source, long budget) {
        this.head = head;
        this.size = size;
        this.source = source;
        this.budget = budget;
    }

    RuntimeException sourceFailure() {
        return sourceFailure;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (streamPos >= size) {
            if (++readsPastEnd > READS_PAST_END) {
                throw new IIOException("the decoder keeps reading past the end of the data (" + size + " bytes)");
            }
            return -1;
        }
        bitOffset = 0;
        int count;
        if (streamPos < head.length) {
            count = (int) Math.min(length, head.length - streamPos);
            System.arraycopy(head, (int) streamPos, buffer, offset, count);
        } else {
            long pageStart = streamPos - streamPos % PAGE;
            byte[] page = page(pageStart);
            int at = (int) (streamPos - pageStart);
            count = Math.min(length, page.length - at);
            if (count <= 0) {
                throw new IIOException("the file ended before its declared size of " + size + " bytes");
            }
            System.arraycopy(page, at, buffer, offset, count);
        }
        streamPos += count;
        return count;
    }

    private byte[] page(long start) throws IIOException {
        byte[] page = pages.get(start);
        if (page != null) {
            return page;
        }
        int length = (int) Math.min(PAGE, size - start);
        if (fetched + length > budget) {
            throw new IIOException(
                    "the image header does not end within the first " + (head.length + budget) + " bytes read of it");
        }
        try {
            page = source.read(start, length);
        } catch (RuntimeException e) {
            sourceFailure = e;
            throw new IIOException("the image could not be read: " + e.getMessage(), e);
        }
        fetched += length;
        pages.put(start, page);
        return page;
    }

    @Override
    public long length() {
        return size;
    }
}
