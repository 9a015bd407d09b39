package io.noise2noise.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The gateway (or storage, for a presigned upload) answered with an error status. The problem
 * details it sent are in {@link #problem()}; {@link #retryAfter()} is its {@code Retry-After}, if any
 * (429 and 503 carry one, and idempotent calls were already retried after it).
 */
public final class ApiException extends Noise2NoiseException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Problem problem;
    private final String body;
    private final Duration retryAfter;

    ApiException(String method, String path, int status, Problem problem, String body, Duration retryAfter) {
        super(method + " " + path + ": " + status + " " + said(problem, body), null);
        this.status = status;
        this.problem = problem;
        this.body = body;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status of the answer. */
    public int status() {
        return status;
    }

    /** The problem details the answer carried; all members null when its body was no JSON object. */
    public Problem problem() {
        return problem;
    }

    /** The problem's reason ({@code invalid-parameter}, {@code queue-full}, ...), when the gateway named one. */
    public Optional<String> reason() {
        return Optional.ofNullable(problem.reason());
    }

    /** The answer's body as text (at most the first 64 KiB). */
    public String body() {
        return body;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** What was wrong as the gateway said it for people: the problem's detail, else its title, else the body's start. */
    private static String said(Problem problem, String body) {
        if (problem.detail() != null) {
            return problem.detail();
        }
        if (problem.title() != null) {
            return problem.title();
        }
        String text = body.strip();
        return text.isEmpty() ? "(no body)" : text.substring(0, Math.min(200, text.length()));
    }
}
