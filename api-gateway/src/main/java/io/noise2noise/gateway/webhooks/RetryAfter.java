package io.noise2noise.gateway.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A receiver's {@code Retry-After} (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. Anything
 * unreadable is ignored rather than refused (the normal back-off applies), and the wait is capped
 * so that a receiver cannot park a delivery for longer than the gateway allows.
 */
final class RetryAfter {

    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d+");

    private RetryAfter() {}

    /** How long the receiver asked to wait from {@code now}, at most {@code cap}; empty when it asked nothing usable. */
    static Optional<Duration> parse(String value, Instant now, Duration cap) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.strip();
        Duration asked;
        if (DELTA_SECONDS.matcher(text).matches()) {
            // more digits than a long holds is still "a very long time": the cap decides
            asked = text.length() > 12 ? cap : Duration.ofSeconds(Long.parseLong(text));
        } else {
            try {
                asked = Duration.between(
                        now,
                        ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Duration honoured = asked.compareTo(cap) > 0 ? cap : asked;
        return honoured.isNegative() || honoured.isZero() ? Optional.empty() : Optional.of(honoured);
    }
}
