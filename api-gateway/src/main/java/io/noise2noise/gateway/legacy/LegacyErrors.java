package io.noise2noise.gateway.legacy;

import io.noise2noise.gateway.JsonBodyLimits;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.jobs.JobApiErrors;
import io.noise2noise.storage.StorageUnavailableException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Every error of {@code POST /} in the legacy shape {@code {"code":-1,"msg":...,"data":null}}. The
 * old service answered errors with HTTP 200 and its clients read {@code code}; we keep that, and put
 * the precise status in {@code X-N2N-Status} for newer tooling. Ordered first, so Spring's own
 * problem-detail handling never answers the legacy route.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice(assignableTypes = LegacyController.class)
public class LegacyErrors {

    private final JsonBodyLimits jsonLimits;

    public LegacyErrors(JsonBodyLimits jsonLimits) {
        this.jsonLimits = jsonLimits;
    }

    /** A refusal's status is the one {@code /v1} would answer ({@link JobApiErrors#status}). */
    @ExceptionHandler(RequestRefusedException.class)
    ResponseEntity<LegacyResponse> refused(RequestRefusedException e) {
        ResponseEntity.BodyBuilder answer = status(JobApiErrors.status(e.reason()));
        if (e.retryAfterSeconds() != null) {
            answer.header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds().toString());
        }
        return answer.body(LegacyResponse.error(e.getMessage()));
    }

    @ExceptionHandler(LegacyController.LegacyException.class)
    ResponseEntity<LegacyResponse> failed(LegacyController.LegacyException e) {
        return error(HttpStatus.OK, e.getMessage());
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, HttpMediaTypeNotSupportedException.class})
    ResponseEntity<LegacyResponse> malformed(Exception e) {
        if (JsonBodyLimits.isTooLarge(e)) {
            return error(HttpStatus.PAYLOAD_TOO_LARGE, jsonLimits.tooLargeMessage(e));
        }
        return error(HttpStatus.BAD_REQUEST, "request body must be JSON {\"base64Image\": \"...\"}");
    }

    @ExceptionHandler(StorageUnavailableException.class)
    ResponseEntity<LegacyResponse> storageDown(StorageUnavailableException e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, "storage is unavailable, try again later");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<LegacyResponse> unexpected(Exception e) {
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getMessage());
    }

    private static ResponseEntity<LegacyResponse> error(HttpStatus status, String message) {
        return status(status).body(LegacyResponse.error(message));
    }

    private static ResponseEntity.BodyBuilder status(HttpStatus status) {
        return ResponseEntity.ok().header("X-N2N-Status", String.valueOf(status.value()));
    }
}
