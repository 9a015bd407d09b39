package io.noise2noise.gateway.jobs;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/** A request refused, with the HTTP status that says why (and when to come back, for 429 and 503). */
public class SubmissionException extends RuntimeException {

    private final HttpStatus status;
    private final Duration retryAfter;

    public SubmissionException(HttpStatus status, String message) {
        this(status, message, (Duration) null);
    }

    public SubmissionException(HttpStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfter = status == HttpStatus.SERVICE_UNAVAILABLE ? Duration.ofSeconds(5) : null;
    }

    public SubmissionException(HttpStatus status, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public HttpStatus status() {
        return status;
    }

    /** Seconds to wait before trying again, or null. */
    public Long retryAfterSeconds() {
        return retryAfter == null ? null : Math.max(1, retryAfter.toSeconds());
    }
}
