package io.noise2noise.image;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
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
public record ImageLimits(
        @DefaultValue("64MB") @NotNull DataSize maxBytes,
        // a 50 MP 16-bit RGB TIFF with incompressible noise is about 410 MB
        @DefaultValue("512MB") @NotNull DataSize maxUploadBytes,
        @DefaultValue("50000000") @Min(1) long maxPixels,

        @DefaultValue({"png", "jpeg", "bmp", "gif", "tiff", "webp"}) @NotEmpty
        Set<String> formats,

        @DefaultValue("128MB") @NotNull DataSize maxResultBytes) {

    public static ImageLimits defaults() {
        return of(Map.of());
    }

    /**
     * The limits as bound from {@code n2n.images.*} {@code properties} (named without the prefix, e.g.
     * {@code max-pixels}), the rest at their defaults: for code that builds its own codec.
     */
    public static ImageLimits of(Map<String, String> properties) {
        Map<String, String> prefixed = new HashMap<>();
        properties.forEach((name, value) -> prefixed.put("n2n.images." + name, value));
        return new Binder(new MapConfigurationPropertySource(prefixed)).bindOrCreate("n2n.images", ImageLimits.class);
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
