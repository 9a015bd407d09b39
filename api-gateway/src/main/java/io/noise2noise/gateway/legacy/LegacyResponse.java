package io.noise2noise.gateway.legacy;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The original service's envelope: {@code code} 0 and {@code msg} "SUCCESS", or {@code code} -1, a message and null data. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record LegacyResponse(int code, String msg, Data data) {

    public record Data(String base64Image) {}

    public static LegacyResponse success(String base64Image) {
        return new LegacyResponse(0, "SUCCESS", new Data(base64Image));
    }

    public static LegacyResponse error(String message) {
        return new LegacyResponse(-1, message, null);
    }
}
