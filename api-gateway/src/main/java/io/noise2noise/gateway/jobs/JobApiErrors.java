package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.JsonBodyLimits;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.models.ModelController;
import io.noise2noise.storage.StorageUnavailableException;
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
 * its HTTP status (the legacy route reports the same status in {@code X-N2N-Status}). Problems keep the
 * default type {@code about:blank}, so their title is the status's reason phrase.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice(assignableTypes = {JobController.class, ModelController.class})
public class JobApiErrors {

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
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status);
        if (e.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds().toString());
        }
        return response.body(ProblemDetail.forStatusAndDetail(status, e.getMessage()));
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
