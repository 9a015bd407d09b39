package io.noise2noise.gateway.jobs;

import org.springframework.http.HttpStatus;

/** A submission refused before anything was stored, with the HTTP status that says why. */
public class SubmissionException extends RuntimeException {

    private final HttpStatus status;

    public SubmissionException(HttpStatus status, String message) {
        super(message);
        this.status = status;
    }

    public SubmissionException(HttpStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }
}
