package io.noise2noise.client;

import java.time.Duration;

/** The job had not ended when {@link Noise2NoiseClient#waitFor(String, Duration)}'s deadline passed. */
public final class WaitTimeoutException extends Noise2NoiseException {

    private static final long serialVersionUID = 1L;

    private final transient Job job;

    WaitTimeoutException(Job job, Duration deadline) {
        super("job " + job.id() + " is still " + job.status().wireName() + " after " + deadline, null);
        this.job = job;
    }

    /** The job as last seen. */
    public Job job() {
        return job;
    }
}
