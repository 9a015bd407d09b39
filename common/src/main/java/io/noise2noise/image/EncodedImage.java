package io.noise2noise.image;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Collections;
import java.util.List;

/**
 * A written image and what it really is: the format can differ from the one asked for when no
 * writer exists for it (WebP is written as PNG), so store and serve it with this content type.
 *
 * <p>The bytes are kept as the encoder wrote them, in small parts, and are best sent on with
 * {@link #stream()} and {@link #size()}: gathering a large image into one array ({@link #data()})
 * briefly holds it twice.
 */
public final class EncodedImage {

    private final List<byte[]> parts;
    private final long size;
    private final String format;
    private final String contentType;

    EncodedImage(List<byte[]> parts, String format, String contentType) {
        this.parts = List.copyOf(parts);
        this.size = parts.stream().mapToLong(part -> part.length).sum();
        this.format = format;
        this.contentType = contentType;
    }

    public String format() {
        return format;
    }

    public String contentType() {
        return contentType;
    }

    /** The number of bytes. */
    public long size() {
        return size;
    }

    /** The bytes, read from the parts as they are. */
    public InputStream stream() {
        return new SequenceInputStream(Collections.enumeration(
                parts.stream().map(ByteArrayInputStream::new).toList()));
    }

    /** The bytes in one new array (for images of a size that an array copy does not matter to). */
    public byte[] data() {
        byte[] data = new byte[Math.toIntExact(size)];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, data, at, part.length);
            at += part.length;
        }
        return data;
    }
}
