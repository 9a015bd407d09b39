package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WaitPreferenceTest {

    private static final Duration MAX = Duration.ofSeconds(60);

    private static Duration wait(String prefer) {
        return WaitPreference.of(prefer, MAX).orElse(null);
    }

    @Test
    void readsTheWaitAmongOtherPreferences() {
        assertThat(wait("wait=10")).isEqualTo(Duration.ofSeconds(10));
        assertThat(wait("respond-async, wait=5")).isEqualTo(Duration.ofSeconds(5));
        assertThat(wait("handling=lenient,WAIT = 7 ;foo=bar")).isEqualTo(Duration.ofSeconds(7));
        assertThat(wait("wait=\"8\"")).isEqualTo(Duration.ofSeconds(8));
        assertThat(wait("wait=0000000000000000000000009")).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void anyNumberOfDigitsIsCutToTheLongestWait() {
        assertThat(wait("wait=99999999999999999999")).isEqualTo(MAX);
        assertThat(wait("wait=" + "9".repeat(5000))).isEqualTo(MAX);
        assertThat(wait("wait=9223372036854775807")).isEqualTo(MAX);
        assertThat(wait("wait=61")).isEqualTo(MAX);
    }

    @Test
    void malformedOrAbsentPreferencesAreIgnored() {
        assertThat(wait(null)).isNull();
        assertThat(wait("")).isNull();
        assertThat(wait("respond-async")).isNull();
        assertThat(wait("wait")).isNull();
        assertThat(wait("wait=")).isNull();
        assertThat(wait("wait=-5")).isNull();
        assertThat(wait("wait=1.5")).isNull();
        assertThat(wait("wait=ten")).isNull();
        assertThat(wait("wait=0")).isNull();
        assertThat(wait("nowait=5")).isNull();
        // only the first wait counts, even when it is malformed (RFC 7240 section 2)
        assertThat(wait("wait=x, wait=5")).isNull();
        assertThat(wait("wait=3, wait=5")).isEqualTo(Duration.ofSeconds(3));
    }
}
