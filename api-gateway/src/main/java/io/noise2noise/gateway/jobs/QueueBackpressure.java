package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import org.springframework.stereotype.Component;

/**
 * Refuses new jobs (429 with {@code Retry-After}) while the workers' backlog is above a bound, so a
 * burst cannot queue hours of work nobody waits for.
 */
@Component
public class QueueBackpressure {

    private final WorkerBacklog backlog;
    private final GatewayProperties.Backpressure settings;

    public QueueBackpressure(WorkerBacklog backlog, GatewayProperties properties) {
        this.backlog = backlog;
        this.settings = properties.backpressure();
    }

    /** Refuses the submission when the backlog is over the bound. */
    public void check() {
        long waiting = backlog.waiting();
        if (waiting > settings.maxQueuedJobs()) {
            throw new RequestRefusedException(
                    Reason.QUEUE_FULL,
                    waiting + " jobs are waiting (more than " + settings.maxQueuedJobs() + "); try again later",
                    settings.retryAfter());
        }
    }
}
