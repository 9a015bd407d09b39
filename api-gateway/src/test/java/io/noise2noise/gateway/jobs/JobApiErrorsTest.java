package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.gateway.JsonBodyLimits;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.image.InvalidImageException;
import io.noise2noise.storage.StorageUnavailableException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** Every refusal reason answers {@code /v1} with its status as a problem of its own stable type. */
class JobApiErrorsTest {

    private final JobApiErrors errors = new JobApiErrors(new JsonBodyLimits(ImageLimits.defaults()));

    /** The API's contract, written out: a reason added without a status here does not compile. */
    private static HttpStatus expectedStatus(Reason reason) {
        return switch (reason) {
            case MALFORMED_REQUEST -> HttpStatus.BAD_REQUEST;
            case INVALID_IMAGE -> HttpStatus.BAD_REQUEST;
            case BODY_TOO_LARGE -> HttpStatus.PAYLOAD_TOO_LARGE;
            case IMAGE_TOO_LARGE -> HttpStatus.PAYLOAD_TOO_LARGE;
            case UNSUPPORTED_IMAGE_FORMAT -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
            case IMAGE_NOT_WRITABLE -> HttpStatus.UNPROCESSABLE_ENTITY;
            case INVALID_PARAMETER -> HttpStatus.UNPROCESSABLE_ENTITY;
            case WEBHOOK_NOT_ALLOWED -> HttpStatus.UNPROCESSABLE_ENTITY;
            case IMAGE_URL_NOT_ALLOWED -> HttpStatus.UNPROCESSABLE_ENTITY;
            case IMAGE_URL_UNAVAILABLE -> HttpStatus.UNPROCESSABLE_ENTITY;
            case UNKNOWN_UPLOAD -> HttpStatus.UNPROCESSABLE_ENTITY;
            case UNKNOWN_MODEL -> HttpStatus.UNPROCESSABLE_ENTITY;
            case MODEL_NOT_FOUND -> HttpStatus.NOT_FOUND;
            case UPLOAD_CHANGED -> HttpStatus.CONFLICT;
            case IDEMPOTENCY_KEY_REUSED -> HttpStatus.UNPROCESSABLE_ENTITY;
            case IDEMPOTENCY_KEY_IN_USE -> HttpStatus.CONFLICT;
            case JOB_NOT_FOUND -> HttpStatus.NOT_FOUND;
            case JOB_STATE_CONFLICT -> HttpStatus.CONFLICT;
            case EXPIRED -> HttpStatus.GONE;
            case QUEUE_FULL -> HttpStatus.TOO_MANY_REQUESTS;
            case QUOTA_REACHED -> HttpStatus.TOO_MANY_REQUESTS;
            case TOO_MANY_WAITERS -> HttpStatus.TOO_MANY_REQUESTS;
            case GATEWAY_BUSY -> HttpStatus.SERVICE_UNAVAILABLE;
            case STORAGE_UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case QUEUE_UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case INTERRUPTED -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void eachReasonIsAProblemWithItsStatusTheStatusTitleAndTheRefusalAsDetail(Reason reason) {
        ResponseEntity<ProblemDetail> answer = errors.refused(new RequestRefusedException(reason, "why: " + reason));

        HttpStatus status = expectedStatus(reason);
        assertThat(JobApiErrors.status(reason)).isEqualTo(status);
        assertThat(answer.getStatusCode()).isEqualTo(status);
        assertThat(answer.getHeaders().containsKey(HttpHeaders.RETRY_AFTER)).isFalse();
        ProblemDetail problem = answer.getBody();
        assertThat(problem.getStatus()).isEqualTo(status.value());
        assertThat(problem.getType())
                .isEqualTo(URI.create(
                        "urn:noise2noise:problem:" + reason.name().toLowerCase().replace('_', '-')));
        assertThat(problem.getTitle()).isNotBlank().doesNotContain("_");
        assertThat(problem.getDetail()).isEqualTo("why: " + reason);
    }

    @Test
    void aRefusalThatPassesSaysWhenToComeBackInWholeSecondsAtLeastOne() {
        assertThat(errors.refused(new RequestRefusedException(Reason.QUOTA_REACHED, "wait", Duration.ofSeconds(30)))
                        .getHeaders()
                        .getFirst(HttpHeaders.RETRY_AFTER))
                .isEqualTo("30");
        assertThat(errors.refused(new RequestRefusedException(Reason.QUEUE_FULL, "wait", Duration.ofMillis(200)))
                        .getHeaders()
                        .getFirst(HttpHeaders.RETRY_AFTER))
                .isEqualTo("1");
    }

    @Test
    void anOutageOfStorageOrTheQueueIsA503ToRetryInFiveSeconds() {
        for (RequestRefusedException outage : new RequestRefusedException[] {
            RequestRefusedException.storageUnavailable(new StorageUnavailableException("down", null)),
            RequestRefusedException.queueUnavailable(new IllegalStateException("broker gone"))
        }) {
            ResponseEntity<ProblemDetail> answer = errors.refused(outage);
            assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        }
        ResponseEntity<ProblemDetail> storage = errors.storageDown(new StorageUnavailableException("down", null));
        assertThat(storage.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(storage.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        assertThat(storage.getBody().getDetail()).isEqualTo("storage is unavailable, try again later");
    }

    /** An image the codec refuses answers as it did when JobSubmissions mapped the codec's reasons itself. */
    @ParameterizedTest
    @EnumSource(InvalidImageException.Reason.class)
    void anImageTheCodecRefusesKeepsItsStatusAndMessage(InvalidImageException.Reason imageReason) {
        HttpStatus expected = switch (imageReason) {
            case TOO_MANY_BYTES, TOO_MANY_PIXELS -> HttpStatus.PAYLOAD_TOO_LARGE;
            case UNSUPPORTED_FORMAT -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
            case NOT_WRITABLE -> HttpStatus.UNPROCESSABLE_ENTITY;
            case EMPTY, CORRUPT -> HttpStatus.BAD_REQUEST;
        };
        InvalidImageException invalid = new InvalidImageException(imageReason, "the image is " + imageReason);

        RequestRefusedException refusal = RequestRefusedException.of(invalid);
        ResponseEntity<ProblemDetail> answer = errors.refused(refusal);

        assertThat(refusal).hasCause(invalid);
        assertThat(answer.getStatusCode()).isEqualTo(expected);
        assertThat(answer.getBody().getDetail()).isEqualTo("the image is " + imageReason);
        assertThat(answer.getHeaders().containsKey(HttpHeaders.RETRY_AFTER)).isFalse();
    }
}
