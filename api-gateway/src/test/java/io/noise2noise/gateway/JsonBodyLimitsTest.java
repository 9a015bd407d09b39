package io.noise2noise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.image.ImageLimits;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonBodyLimitsTest {

    @Test
    void theStringLimitTakesAMimeWrappedDataUrlOfAnImageAtTheByteLimit() {
        ImageLimits limits =
                ImageLimits.of(Map.of("max-bytes", "300KB", "max-upload-bytes", "300KB", "max-pixels", "1000000"));
        byte[] image = new byte[(int) limits.maxBytes().toBytes()];
        String wrapped = "data:image/png;base64," + Base64.getMimeEncoder().encodeToString(image);

        assertThat(JsonBodyLimits.maxStringLength(limits))
                .isGreaterThanOrEqualTo(wrapped.length())
                .isLessThan(wrapped.length() + 300);
    }

    @Test
    void theDefaultLimitIsAbout92MillionCharacters() {
        assertThat(JsonBodyLimits.maxStringLength(ImageLimits.defaults())).isBetween(91_000_000, 92_000_000);
    }
}
