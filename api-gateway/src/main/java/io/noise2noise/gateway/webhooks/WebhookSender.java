package io.noise2noise.gateway.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.jobs.JobView;
import io.noise2noise.gateway.jobs.SubmissionException;
import io.noise2noise.job.Job;
import io.noise2noise.job.WebhookEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * One delivery of one event of a job: POST of the job as the API shows it, with Standard Webhooks
 * headers ({@code webhook-id} is the same on every retry of the event). 2xx is delivered, 410 means
 * the receiver wants no more, anything else (or no answer) is worth retrying.
 */
@Component
public class WebhookSender {

    private final HttpClient http;
    private final ObjectMapper mapper;
    private final WebhookTargets targets;
    private final WebhookSigner signer;
    private final WebhookDeliveries deliveries;
    private final MeterRegistry meters;
    private final GatewayProperties.Webhooks properties;

    public WebhookSender(ObjectMapper mapper, WebhookTargets targets, WebhookSigner signer,
                         WebhookDeliveries deliveries, MeterRegistry meters, GatewayProperties properties) {
        this.meters = meters;
        this.mapper = mapper;
        this.targets = targets;
        this.signer = signer;
        this.deliveries = deliveries;
        this.properties = properties.webhooks();
        this.http = HttpClient.newBuilder()
                .connectTimeout(this.properties.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public static String messageId(Job job, WebhookEvent event) {
        return "msg_" + job.id() + "_" + event.wireName();
    }

    /**
     * Delivers unless this event was delivered before; throws to have it retried or given up, or
     * {@link NotDueException} while the receiver's {@code Retry-After} has not passed yet.
     */
    public void deliver(Job job, WebhookEvent event) {
        Optional<WebhookDeliveries.Delivery> previous = deliveries.find(job.id(), event);
        if (previous.map(WebhookDeliveries.Delivery::delivered).orElse(false)) {
            return;
        }
        Instant notBefore = previous.map(WebhookDeliveries.Delivery::notBefore).orElse(null);
        if (notBefore != null && Instant.now().isBefore(notBefore)) {
            throw new NotDueException(notBefore);
        }
        URI target;
        try {
            target = targets.check(job.spec().webhook());
        } catch (SubmissionException e) {
            deliveries.recordAttempt(job.id(), event, false, null, e.getMessage());
            count("refused");
            throw new WebhookRefusedException(e.getMessage());
        }
        byte[] body = body(job);
        long timestamp = Instant.now().getEpochSecond();
        String id = messageId(job, event);
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(properties.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "noise2noise-webhooks")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String signature = signer.signature(job.spec().owner(), id, timestamp, body);
        if (signature != null) {
            request.header("webhook-signature", signature);
        }
        HttpResponse<Void> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            deliveries.recordAttempt(job.id(), event, false, null, e.toString());
            count("unreachable");
            throw new WebhookDeliveryException("webhook of job " + job.id() + " unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebhookDeliveryException("interrupted delivering webhook of job " + job.id());
        }
        Instant answeredAt = Instant.now();
        int status = response.statusCode();
        boolean delivered = status / 100 == 2;
        Duration retryAfter = delivered || status == 410 ? null : RetryAfter.parse(
                response.headers().firstValue("Retry-After").orElse(null), answeredAt, properties.maxRetryAfter())
                .orElse(null);
        deliveries.recordAttempt(job.id(), event, delivered, status, delivered ? null : "HTTP " + status, answeredAt,
                retryAfter);
        count(delivered ? "delivered" : status == 410 ? "gone" : "failed");
        if (status == 410) {
            throw new WebhookRefusedException("webhook of job " + job.id() + " answered 410 Gone");
        }
        if (!delivered) {
            throw new WebhookDeliveryException("webhook of job " + job.id() + " answered " + status
                    + (retryAfter == null ? "" : ", Retry-After " + retryAfter.toSeconds() + " s"));
        }
    }

    private void count(String outcome) {
        meters.counter("n2n.gateway.webhook.attempts", "outcome", outcome).increment();
    }

    private byte[] body(Job job) {
        try {
            return mapper.writeValueAsBytes(JobView.of(job));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Worth another try later. */
    public static class WebhookDeliveryException extends RuntimeException {
        public WebhookDeliveryException(String message) {
            super(message);
        }
    }

    /** The receiver asked (with {@code Retry-After}) not to be called again before {@code notBefore}. */
    public static class NotDueException extends RuntimeException {
        private final transient Instant notBefore;

        public NotDueException(Instant notBefore) {
            super("receiver asked not to be called before " + notBefore);
            this.notBefore = notBefore;
        }

        public Instant notBefore() {
            return notBefore;
        }
    }

    /** Not worth retrying: the receiver said 410 Gone, or the target is not allowed. */
    public static class WebhookRefusedException extends RuntimeException {
        public WebhookRefusedException(String message) {
            super(message);
        }
    }
}
