package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.JsonBodyLimits;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.models.ModelController;
import io.noise2noise.storage.StorageUnavailableException;
import java.net.URI;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;

/**
 * Errors of the {@code /v1} API as RFC 9457 problem details, and the one map of a refusal's reason to
 * its HTTP status (the legacy route reports the same status in {@code X-N2N-Status}). A refusal's
 * problem type is stable per reason ({@link #type}), so clients can tell a full queue from a reached
 * quota without reading the text; Spring's own errors (405, ...) keep {@code about:blank}.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice(assignableTypes = {JobController.class, ModelController.class})
public class JobApiErrors {

    private static final Logger log = LoggerFactory.getLogger(JobApiErrors.class);

    private final JsonBodyLimits jsonLimits;

    public JobApiErrors(JsonBodyLimits jsonLimits) {
        this.jsonLimits = jsonLimits;
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        if (JsonBodyLimits.isTooLarge(e)) {
            return ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE, jsonLimits.tooLargeMessage(e));
        }
        return malformed(e);
    }

    @ExceptionHandler(RequestRefusedException.class)
    ResponseEntity<ProblemDetail> refused(RequestRefusedException e) {
        HttpStatus status = status(e.reason());
        if (status == HttpStatus.SERVICE_UNAVAILABLE && e.getCause() != null) {
            // an outage of a store or the broker: the client sees a neutral 503, the operator the cause
            log.warn("{}: {}", e.getMessage(), e.getCause().toString());
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status);
        if (e.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds().toString());
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setType(type(e.reason()));
        problem.setTitle(title(e.reason()));
        return response.body(problem);
    }

    /** The problem type of a refusal: {@code urn:noise2noise:problem:queue-full} and so on, one per reason. */
    public static URI type(RequestRefusedException.Reason reason) {
        return URI.create("urn:noise2noise:problem:"
                + reason.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /** The short summary of a problem type: its reason in words ("Queue full"). */
    public static String title(RequestRefusedException.Reason reason) {
        String words = reason.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** The HTTP status of a refusal. */
    public static HttpStatus status(RequestRefusedException.Reason reason) {
        return switch (reason) {
            case MALFORMED_REQUEST, INVALID_IMAGE -> HttpStatus.BAD_REQUEST;
            case JOB_NOT_FOUND, MODEL_NOT_FOUND -> HttpStatus.NOT_FOUND;
            case UPLOAD_CHANGED, IDEMPOTENCY_KEY_IN_USE, JOB_STATE_CONFLICT -> HttpStatus.CONFLICT;
            case EXPIRED -> HttpStatus.GONE;
            case BODY_TOO_LARGE, IMAGE_TOO_LARGE -> HttpStatus.PAYLOAD_TOO_LARGE;
            case UNSUPPORTED_IMAGE_FORMAT -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
            case IMAGE_NOT_WRITABLE,
                    INVALID_PARAMETER,
                    UNKNOWN_MODEL,
                    WEBHOOK_NOT_ALLOWED,
                    IMAGE_URL_NOT_ALLOWED,
                    IMAGE_URL_UNAVAILABLE,
                    UNKNOWN_UPLOAD,
                    IDEMPOTENCY_KEY_REUSED -> HttpStatus.UNPROCESSABLE_ENTITY;
            case QUEUE_FULL, QUOTA_REACHED, TOO_MANY_WAITERS -> HttpStatus.TOO_MANY_REQUESTS;
            case GATEWAY_BUSY, STORAGE_UNAVAILABLE, QUEUE_UNAVAILABLE, INTERRUPTED -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    @ExceptionHandler({MissingServletRequestPartException.class, MethodArgumentTypeMismatchException.class})
    ProblemDetail malformed(Exception e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "malformed request: " + e.getMessage());
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ProblemDetail tooLarge(MaxUploadSizeExceededException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE, e.getMessage());
    }

    @ExceptionHandler(StorageUnavailableException.class)
    ResponseEntity<ProblemDetail> storageDown(StorageUnavailableException e) {
        return refused(RequestRefusedException.storageUnavailable(e));
    }
}
