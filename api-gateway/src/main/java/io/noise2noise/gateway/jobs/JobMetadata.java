package io.noise2noise.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A client's job metadata: its own labels (string to string), stored in the job record and shown
 * in the job's views and webhooks. Bounded, as it travels in every event of the job on Kafka and in
 * every listing of the job.
 */
public final class JobMetadata {

    public static final int MAX_ENTRIES = 16;
    public static final int MAX_KEY_LENGTH = 64;
    public static final int MAX_VALUE_LENGTH = 512;
    /** Keys and values together, in UTF-8. */
    public static final int MAX_TOTAL_BYTES = 4096;

    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private JobMetadata() {}

    /** Refuses metadata over a bound, or with an empty key or a missing value; null (none) passes. */
    public static void check(Map<String, String> metadata) {
        if (metadata == null) {
            return;
        }
        if (metadata.size() > MAX_ENTRIES) {
            throw invalid("metadata has " + metadata.size() + " entries; at most " + MAX_ENTRIES + " are allowed");
        }
        int total = 0;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
                throw invalid("metadata keys must have 1 to " + MAX_KEY_LENGTH + " characters");
            }
            if (value == null) {
                throw invalid("metadata value of " + key + " must be a string");
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw invalid("metadata value of " + key + " is longer than " + MAX_VALUE_LENGTH + " characters");
            }
            total += key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
        }
        if (total > MAX_TOTAL_BYTES) {
            throw invalid(
                    "metadata has " + total + " bytes of keys and values; at most " + MAX_TOTAL_BYTES + " are allowed");
        }
    }

    /** Metadata sent as a form field or query parameter: a JSON object of strings, as in a JSON body. */
    public static Map<String, String> parse(String json, ObjectMapper mapper) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return mapper.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw invalid("metadata must be a JSON object of strings, e.g. {\"order\":\"42\"}");
        }
    }

    private static RequestRefusedException invalid(String message) {
        return new RequestRefusedException(Reason.INVALID_PARAMETER, message);
    }
}
