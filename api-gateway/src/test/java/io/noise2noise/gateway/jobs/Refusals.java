package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.noise2noise.gateway.RequestRefusedException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.springframework.http.HttpStatus;

/**
 * How the services' tests read a refusal: the one place that knows how a service says no (a
 * {@link RequestRefusedException} whose reason maps to an HTTP status in {@link JobApiErrors}), so a change of that form is adapted here.
 */
final class Refusals {

    private Refusals() {}

    /** The status {@code call} was refused with; fails the test when it was not refused. */
    static HttpStatus refusal(ThrowingCallable call) {
        RequestRefusedException refused = catchThrowableOfType(RequestRefusedException.class, call);
        if (refused == null) {
            throw new AssertionError("expected the call to be refused, but it was accepted");
        }
        return JobApiErrors.status(refused.reason());
    }
}
