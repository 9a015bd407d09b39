package io.noise2noise.image;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What images the system accepts, checked from the header before any pixel is decoded: at most
 * {@code maxBytes} (64 MB) and {@code maxPixels} (50 MP), in one of {@code formats} (png, jpeg,
 * bmp, gif, tiff, webp).
 */
@Validated
@ConfigurationProperties("n2n.images")
public record ImageLimits(DataSize maxBytes, @Min(1) long maxPixels, @NotEmpty Set<String> formats) {

    public ImageLimits {
        maxBytes = maxBytes == null ? DataSize.ofMegabytes(64) : maxBytes;
        maxPixels = maxPixels == 0 ? 50_000_000L : maxPixels;
        formats = formats == null || formats.isEmpty() ? Set.of("png", "jpeg", "bmp", "gif", "tiff", "webp") : formats;
    }

    public static ImageLimits defaults() {
        return new ImageLimits(null, 0, null);
    }
}
