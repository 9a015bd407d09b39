package io.noise2noise.gateway.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.WebhookEvent;
import io.noise2noise.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * What happened to the webhook of each event of a job, kept next to the job in the bucket: shown
 * to clients, and what stops a redelivered event from being sent a second time once delivered.
 */
@Component
public class WebhookDeliveries {

    private final ObjectStore objects;
    private final ObjectMapper mapper;

    public WebhookDeliveries(ObjectStore objects, ObjectMapper mapper) {
        this.objects = objects;
        this.mapper = mapper;
    }

    /**
     * @param retryAfterSeconds  the receiver's {@code Retry-After} honoured after the last attempt (capped), if any
     * @param notBefore          no retry happens before this, as the receiver asked; null when it asked nothing
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // shown as is in the job view (snake_case API)
    public record Delivery(
            WebhookEvent event,
            boolean delivered,
            int attempts,
            Integer lastStatus,
            String lastError,
            Instant lastAttemptAt,
            Long retryAfterSeconds,
            Instant notBefore) {}

    public Optional<Delivery> find(String jobId, WebhookEvent event) {
        return objects.get(JobKeys.webhookDeliveries(jobId, event)).map(object -> {
            try {
                return mapper.readValue(object.data(), Delivery.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public void recordAttempt(String jobId, WebhookEvent event, boolean delivered, Integer status, String error) {
        recordAttempt(jobId, event, delivered, status, error, Instant.now(), null);
    }

    /** @param retryAfter how long the receiver asked to wait before the next attempt (already capped), or null */
    public void recordAttempt(
            String jobId,
            WebhookEvent event,
            boolean delivered,
            Integer status,
            String error,
            Instant at,
            Duration retryAfter) {
        int attempts = find(jobId, event).map(Delivery::attempts).orElse(0) + 1;
        Delivery delivery = new Delivery(
                event,
                delivered,
                attempts,
                status,
                error,
                at,
                retryAfter == null ? null : retryAfter.toSeconds(),
                retryAfter == null ? null : at.plus(retryAfter));
        try {
            objects.put(
                    JobKeys.webhookDeliveries(jobId, event), mapper.writeValueAsBytes(delivery), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
