package io.noise2noise.gateway.jobs;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code wait} preference of a {@code Prefer} header (RFC 7240): {@code wait=N}, N in seconds.
 * As the RFC asks, a malformed preference is ignored (never an error), only the first {@code wait}
 * counts, and any number of digits is read: one too large for a {@code long} saturates and is then
 * cut to the longest wait honoured.
 */
final class WaitPreference {

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    // 18 digits always fit in a long; more may not
    private static final int SAFE_DIGITS = 18;

    private WaitPreference() {}

    /** The wait asked for, at most {@code max}; empty when there is none, it is malformed, or it is zero. */
    static Optional<Duration> of(String prefer, Duration max) {
        if (prefer == null) {
            return Optional.empty();
        }
        for (String preference : prefer.split(",")) {
            String token = preference.split(";", 2)[0];
            int equals = token.indexOf('=');
            String name =
                    (equals < 0 ? token : token.substring(0, equals)).strip().toLowerCase(Locale.ROOT);
            if (!name.equals("wait")) {
                continue;
            }
            String value = equals < 0 ? "" : unquote(token.substring(equals + 1).strip());
            if (!DIGITS.matcher(value).matches()) {
                return Optional.empty();
            }
            String significant = value.replaceFirst("^0+(?=.)", "");
            long seconds = significant.length() > SAFE_DIGITS ? Long.MAX_VALUE : Long.parseLong(significant);
            Duration wait = seconds >= max.toSeconds() ? max : Duration.ofSeconds(seconds);
            return wait.isZero() ? Optional.empty() : Optional.of(wait);
        }
        return Optional.empty();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}
