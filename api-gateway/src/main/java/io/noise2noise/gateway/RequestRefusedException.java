package io.noise2noise.gateway;

import io.noise2noise.image.InvalidImageException;
import java.time.Duration;

/**
 * A request refused, for a {@link Reason} of the service's own; each API surface maps the reason to
 * its HTTP status in one place ({@code JobApiErrors}, {@code LegacyErrors}). Carries when to come back,
 * for refusals that pass (a full queue, a quota, an outage).
 */
public class RequestRefusedException extends RuntimeException {

    /** How long to wait after storage or the queue failed: outages are retried soon, not at a configured pace. */
    static final Duration OUTAGE_RETRY_AFTER = Duration.ofSeconds(5);

    /** Why a request is refused. */
    public enum Reason {
        /** A body or field that cannot be read: missing, not base64, cut short. */
        MALFORMED_REQUEST,
        /** The image is empty or cannot be decoded. */
        INVALID_IMAGE,
        /** A request body over its route's limit. */
        BODY_TOO_LARGE,
        /** An image over the byte or pixel limits. */
        IMAGE_TOO_LARGE,
        UNSUPPORTED_IMAGE_FORMAT,
        /** The image cannot be written in the output format asked for. */
        IMAGE_NOT_WRITABLE,
        /** A job parameter or header out of its range or form. */
        INVALID_PARAMETER,
        /** A webhook URL that is malformed, internal, on a port not allowed, or does not resolve. */
        WEBHOOK_NOT_ALLOWED,
        /** An image URL that is malformed, internal, on a port not allowed, or does not resolve. */
        IMAGE_URL_NOT_ALLOWED,
        /** An image URL that answered with an error or a redirect, or not within the fetch timeout. */
        IMAGE_URL_UNAVAILABLE,
        /** An upload id never opened, opened by another caller, expired, or with nothing uploaded. */
        UNKNOWN_UPLOAD,
        /** A job names a model that no worker has published ({@code ModelCatalogue}). */
        UNKNOWN_MODEL,
        /** {@code GET /v1/models/{name}} of a model no worker has published. */
        MODEL_NOT_FOUND,
        /** The upload was replaced or removed while it was being checked. */
        UPLOAD_CHANGED,
        /** An Idempotency-Key already used with a different request. */
        IDEMPOTENCY_KEY_REUSED,
        /** An identical request holding the Idempotency-Key has not finished yet. */
        IDEMPOTENCY_KEY_IN_USE,
        JOB_NOT_FOUND,
        /** The job's state does not allow what was asked (a result before success, a retry of a live job). */
        JOB_STATE_CONFLICT,
        /** What was asked for existed once and has expired: a result, a job's input, an idempotent job. */
        EXPIRED,
        /** The workers' backlog is over its bound. */
        QUEUE_FULL,
        /** The caller is at a quota: unfinished jobs or open uploads. */
        QUOTA_REACHED,
        /** Too many requests are waiting for their jobs to finish. */
        TOO_MANY_WAITERS,
        /** The gateway holds as many request bodies as its budget allows. */
        GATEWAY_BUSY,
        STORAGE_UNAVAILABLE,
        QUEUE_UNAVAILABLE,
        /** The thread handling the request was interrupted (the gateway is stopping). */
        INTERRUPTED
    }

    private final Reason reason;
    private final Duration retryAfter;

    public RequestRefusedException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    /** A refusal that passes: the client may try again after {@code retryAfter}. */
    public RequestRefusedException(Reason reason, String message, Duration retryAfter) {
        this(reason, message, retryAfter, null);
    }

    private RequestRefusedException(Reason reason, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public static RequestRefusedException storageUnavailable(Throwable cause) {
        return new RequestRefusedException(
                Reason.STORAGE_UNAVAILABLE, "storage is unavailable, try again later", OUTAGE_RETRY_AFTER, cause);
    }

    public static RequestRefusedException queueUnavailable(Throwable cause) {
        return new RequestRefusedException(
                Reason.QUEUE_UNAVAILABLE, "job queue is unavailable, try again later", OUTAGE_RETRY_AFTER, cause);
    }

    /** An image the codec refused, for the codec's reason. */
    public static RequestRefusedException of(InvalidImageException e) {
        Reason reason = switch (e.reason()) {
            case TOO_MANY_BYTES, TOO_MANY_PIXELS -> Reason.IMAGE_TOO_LARGE;
            case UNSUPPORTED_FORMAT -> Reason.UNSUPPORTED_IMAGE_FORMAT;
            case NOT_WRITABLE -> Reason.IMAGE_NOT_WRITABLE;
            case EMPTY, CORRUPT -> Reason.INVALID_IMAGE;
        };
        return new RequestRefusedException(reason, e.getMessage(), null, e);
    }

    public Reason reason() {
        return reason;
    }

    /** Seconds to wait before trying again (at least 1), or null. */
    public Long retryAfterSeconds() {
        return retryAfter == null ? null : Math.max(1, retryAfter.toSeconds());
    }
}
