package io.noise2noise.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private static final Duration CAP = Duration.ofMinutes(5);

    @Test
    void readsDeltaSeconds() {
        assertThat(RetryAfter.parse("3", NOW, CAP)).contains(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse(" 120 ", NOW, CAP)).contains(Duration.ofSeconds(120));
    }

    @Test
    void readsAnHttpDateRelativeToTheAnswer() {
        assertThat(RetryAfter.parse("Sat, 28 Nov 2026 10:00:42 GMT", NOW, CAP)).contains(Duration.ofSeconds(42));
    }

    @Test
    void capsWhatAReceiverAsksFor() {
        assertThat(RetryAfter.parse("86400", NOW, CAP)).contains(CAP);
        assertThat(RetryAfter.parse("99999999999999999999999", NOW, CAP)).contains(CAP);
        assertThat(RetryAfter.parse("Mon, 01 Jan 2029 00:00:00 GMT", NOW, CAP)).contains(CAP);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "  ",
                "soon",
                "-5",
                "1.5",
                "3s",
                "0",
                "2026-11-28T10:01:00Z",
                "Sat, 28 Nov 2026 09:59:00 GMT",
                "Sat, 99 Nov 2026 10:00:42 GMT"
            })
    void ignoresGarbageAndThePast(String value) {
        assertThat(RetryAfter.parse(value, NOW, CAP)).isEmpty();
    }

    @Test
    void ignoresEverythingWhenTheCapIsZero() {
        assertThat(RetryAfter.parse("30", NOW, Duration.ZERO)).isEmpty();
        assertThat(RetryAfter.parse(null, NOW, CAP)).isEmpty();
    }
}
