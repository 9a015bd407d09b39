package io.noise2noise.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the client asked for; fixed when the job is created.
 *
 * @param model          model name, or null for the worker's default
 * @param strength       0 returns the input, 1 the model's output
 * @param format         output format, or null for the input's format
 * @param quality        JPEG quality in (0, 1], or null for the default
 * @param webhook        URL notified of the events in {@code webhookEvents}, or null
 * @param cancelAfter    deadline: a job not started by then expires, one still running is canceled
 * @param retryOf        the job this one retries, or null
 * @param owner          the API key id that submitted it, or null when keys are off
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSpec(
        String model,
        double strength,
        String format,
        Float quality,
        String webhook,
        Set<WebhookEvent> webhookEvents,
        Instant cancelAfter,
        String retryOf,
        String owner) {

    public JobSpec {
        // an EnumSet iterates in declaration order, so the spec's text form is the same in every JVM
        webhookEvents = Collections.unmodifiableSet(
                webhookEvents == null || webhookEvents.isEmpty()
                        ? EnumSet.of(WebhookEvent.COMPLETED)
                        : EnumSet.copyOf(webhookEvents));
    }

    public boolean notifies(WebhookEvent event) {
        return webhook != null && webhookEvents.contains(event);
    }

    /** The same request without its deadline, which a client's retry of the same request recomputes. */
    public JobSpec withoutDeadline() {
        return new JobSpec(model, strength, format, quality, webhook, webhookEvents, null, retryOf, owner);
    }

    public JobSpec retriedAs(String originalId) {
        return new JobSpec(model, strength, format, quality, webhook, webhookEvents, null, originalId, owner);
    }
}
