package io.noise2noise.image;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What images the system accepts, checked from the header before any pixel is decoded: at most
 * {@code maxBytes} (64 MB) for an image sent in a request body, {@code maxUploadBytes} (512 MB) for
 * one PUT to a presigned upload URL, {@code maxPixels} (50 MP), in one of {@code formats} (png, jpeg,
 * bmp, gif, tiff, webp). The worker decodes anything up to {@code maxUploadBytes}, the larger limit,
 * since it must take whatever either route accepted. {@code maxResultBytes} (128 MB) bounds the
 * size a result in an uncompressed format (BMP) would have, estimated from the header before the
 * job is accepted: a small PNG asked back as a 50 MP BMP would otherwise make 150 MB.
 */
@Validated
@ConfigurationProperties("n2n.images")
public record ImageLimits(DataSize maxBytes, DataSize maxUploadBytes, @Min(1) long maxPixels,
                          @NotEmpty Set<String> formats, DataSize maxResultBytes) {

    @ConstructorBinding
    public ImageLimits {
        maxBytes = maxBytes == null ? DataSize.ofMegabytes(64) : maxBytes;
        // a 50 MP 16-bit RGB TIFF with incompressible noise is about 410 MB
        maxUploadBytes = maxUploadBytes == null ? DataSize.ofMegabytes(512) : maxUploadBytes;
        maxPixels = maxPixels == 0 ? 50_000_000L : maxPixels;
        formats = formats == null || formats.isEmpty() ? Set.of("png", "jpeg", "bmp", "gif", "tiff", "webp") : formats;
        maxResultBytes = maxResultBytes == null ? DataSize.ofMegabytes(128) : maxResultBytes;
    }

    /** The default result limit. */
    public ImageLimits(DataSize maxBytes, DataSize maxUploadBytes, long maxPixels, Set<String> formats) {
        this(maxBytes, maxUploadBytes, maxPixels, formats, null);
    }

    /** One byte limit for both routes. */
    public ImageLimits(DataSize maxBytes, long maxPixels, Set<String> formats) {
        this(maxBytes, maxBytes, maxPixels, formats);
    }

    public static ImageLimits defaults() {
        return new ImageLimits(null, null, 0, null, null);
    }

    @AssertTrue(message = "n2n.images.max-bytes must be positive and at most max-upload-bytes")
    public boolean isConsistent() {
        return maxBytes.toBytes() > 0 && maxUploadBytes.toBytes() >= maxBytes.toBytes();
    }

    @AssertTrue(message = "n2n.images.max-result-bytes must be positive")
    public boolean isMaxResultBytesPositive() {
        return maxResultBytes.toBytes() > 0;
    }
}
