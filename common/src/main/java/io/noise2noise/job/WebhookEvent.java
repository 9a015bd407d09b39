package io.noise2noise.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which moments of a job a webhook hears about: when a worker starts it, and when it ends (any way). */
public enum WebhookEvent {
    START,
    COMPLETED;

    public static WebhookEvent of(JobStatus status) {
        return status.isTerminal() ? COMPLETED : START;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static WebhookEvent fromWireName(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown webhook event '" + value + "'; known: start, completed");
        }
    }
}
