package io.noise2noise.gateway.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.gateway.JsonBodyLimits;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.gateway.jobs.JobApiErrors;
import io.noise2noise.image.ImageLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** The legacy route answers every refusal with 200 and its envelope, and the status {@code /v1} would answer in a header. */
class LegacyErrorsTest {

    private final LegacyErrors errors = new LegacyErrors(new JsonBodyLimits(ImageLimits.defaults()));

    @ParameterizedTest
    @EnumSource(Reason.class)
    void eachReasonIsAnErrorEnvelopeWithTheV1StatusInItsHeader(Reason reason) {
        ResponseEntity<LegacyResponse> answer = errors.refused(new RequestRefusedException(reason, "why: " + reason));

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(answer.getHeaders().getFirst("X-N2N-Status"))
                .isEqualTo(String.valueOf(JobApiErrors.status(reason).value()));
        assertThat(answer.getBody()).isEqualTo(new LegacyResponse(-1, "why: " + reason, null));
        assertThat(answer.getHeaders().containsKey(HttpHeaders.RETRY_AFTER)).isFalse();
    }

    @Test
    void aRefusalThatPassesSaysWhenToComeBack() {
        ResponseEntity<LegacyResponse> answer =
                errors.refused(new RequestRefusedException(Reason.TOO_MANY_WAITERS, "busy", Duration.ofSeconds(5)));

        assertThat(answer.getHeaders().getFirst("X-N2N-Status")).isEqualTo("429");
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
    }
}
