package io.noise2noise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.image.ImageLimits;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class JsonBodyLimitsTest {

    @Test
    void theStringLimitTakesAMimeWrappedDataUrlOfAnImageAtTheByteLimit() {
        ImageLimits limits = new ImageLimits(DataSize.ofKilobytes(300), 1_000_000, null);
        byte[] image = new byte[(int) limits.maxBytes().toBytes()];
        String wrapped = "data:image/png;base64," + Base64.getMimeEncoder().encodeToString(image);

        assertThat(JsonBodyLimits.maxStringLength(limits)).isGreaterThanOrEqualTo(wrapped.length())
                .isLessThan(wrapped.length() + 300);
    }

    @Test
    void theDefaultLimitIsAbout92MillionCharacters() {
        assertThat(JsonBodyLimits.maxStringLength(ImageLimits.defaults())).isBetween(91_000_000, 92_000_000);
    }
}
