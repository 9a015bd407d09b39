package io.noise2noise.gateway.legacy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The legacy success answer, {@code {"code":0,"msg":"SUCCESS","data":{"base64Image":"..."}}}, written
 * around a stored result read in ranges and base64-encoded on the fly, so the gateway never holds
 * the result (nor its base64 text) whole. Byte for byte what Jackson writes for
 * {@link LegacyResponse#success}: base64 needs no JSON escaping.
 */
final class LegacyResultBody implements StreamingResponseBody {

    /** Reads {@code length} bytes of the result from {@code offset}; empty when it is gone. */
    interface Ranges {
        Optional<byte[]> read(long offset, int length) throws IOException;
    }

    /** A multiple of 3, so only the last range needs base64 padding. */
    static final int RANGE_BYTES = 3 * 256 * 1024;

    private static final byte[] HEAD =
            "{\"code\":0,\"msg\":\"SUCCESS\",\"data\":{\"base64Image\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAIL = "\"}}".getBytes(StandardCharsets.US_ASCII);

    private final long size;
    private final int rangeBytes;
    private final Ranges ranges;

    LegacyResultBody(long size, int rangeBytes, Ranges ranges) {
        if (rangeBytes <= 0 || rangeBytes % 3 != 0) {
            throw new IllegalArgumentException("range size must be a positive multiple of 3: " + rangeBytes);
        }
        this.size = size;
        this.rangeBytes = rangeBytes;
        this.ranges = ranges;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        out.write(HEAD);
        Base64.Encoder encoder = Base64.getEncoder();
        for (long offset = 0; offset < size; offset += rangeBytes) {
            int length = (int) Math.min(rangeBytes, size - offset);
            long at = offset;
            byte[] range = ranges.read(offset, length)
                    .filter(bytes -> bytes.length == length)
                    .orElseThrow(
                            () -> new IOException("the result changed or vanished while being sent, at byte " + at));
            out.write(encoder.encode(range));
        }
        out.write(TAIL);
    }
}
