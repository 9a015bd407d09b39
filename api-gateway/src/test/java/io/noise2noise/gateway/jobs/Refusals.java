package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.springframework.http.HttpStatus;

/**
 * How the services' tests read a refusal: the one place that knows how a service says no (today a
 * {@link SubmissionException} carrying its HTTP status), so a change of that form is adapted here.
 */
final class Refusals {

    private Refusals() {
    }

    /** The status {@code call} was refused with; fails the test when it was not refused. */
    static HttpStatus refusal(ThrowingCallable call) {
        SubmissionException refused = catchThrowableOfType(SubmissionException.class, call);
        if (refused == null) {
            throw new AssertionError("expected the call to be refused, but it was accepted");
        }
        return refused.status();
    }
}
