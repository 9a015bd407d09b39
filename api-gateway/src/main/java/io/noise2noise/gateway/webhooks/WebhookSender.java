package io.noise2noise.gateway.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.jobs.JobView;
import io.noise2noise.job.Job;
import io.noise2noise.job.WebhookEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * One delivery of one event of a job: POST of the job as the API shows it, with Standard Webhooks
 * headers ({@code webhook-id} is the same on every retry of the event). 2xx is delivered, 410 means
 * the receiver wants no more, anything else (no answer in time, a host that does not resolve, a
 * storage fault while recording the attempt) is worth retrying.
 */
@Component
public class WebhookSender implements DisposableBean {

    private final CloseableHttpAsyncClient http;
    private final ObjectMapper mapper;
    private final WebhookTargets targets;
    private final WebhookSigner signer;
    private final WebhookDeliveries deliveries;
    private final MeterRegistry meters;
    private final GatewayProperties.Webhooks properties;

    public WebhookSender(
            ObjectMapper mapper,
            WebhookTargets targets,
            WebhookSigner signer,
            WebhookDeliveries deliveries,
            MeterRegistry meters,
            GatewayProperties properties) {
        this.meters = meters;
        this.mapper = mapper;
        this.targets = targets;
        this.signer = signer;
        this.deliveries = deliveries;
        this.properties = properties.webhooks();
        long timeoutMs = this.properties.timeout().toMillis();
        DnsResolver vetted = targets.resolver();
        int connections = this.properties.maxConcurrent();
        this.http = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setDnsResolver(vetted)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(timeoutMs))
                                .setSocketTimeout(Timeout.ofMilliseconds(timeoutMs))
                                .build())
                        .setMaxConnTotal(connections)
                        .setMaxConnPerRoute(connections) // the dispatcher keeps to max-per-receiver
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.ofMilliseconds(timeoutMs))
                        .setResponseTimeout(Timeout.ofMilliseconds(timeoutMs))
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .build();
        this.http.start();
    }

    @Override
    public void destroy() {
        http.close(CloseMode.IMMEDIATE);
    }

    public static String messageId(Job job, WebhookEvent event) {
        return "msg_" + job.id() + "_" + event.wireName();
    }

    /**
     * Whether this event still has to be delivered (false once it was); throws {@link NotDueException}
     * while the receiver's {@code Retry-After} has not passed yet.
     */
    public boolean due(Job job, WebhookEvent event) {
        Optional<WebhookDeliveries.Delivery> previous = deliveries.find(job.id(), event);
        if (previous.map(WebhookDeliveries.Delivery::delivered).orElse(false)) {
            return false;
        }
        Instant notBefore = previous.map(WebhookDeliveries.Delivery::notBefore).orElse(null);
        if (notBefore != null && Instant.now().isBefore(notBefore)) {
            throw new NotDueException(notBefore);
        }
        return true;
    }

    /**
     * One attempt, over within the configured timeout whatever the receiver does: connecting, sending
     * and waiting for the response headers all count, and the response body is never read (only the
     * status and {@code Retry-After} matter). Throws to have it retried or given up.
     */
    public void deliver(Job job, WebhookEvent event) {
        URI target;
        try {
            target = targets.check(job.spec().webhook());
        } catch (InvalidWebhookException e) {
            deliveries.recordAttempt(job.id(), event, false, null, e.getMessage());
            // an unresolved host may be a passing DNS fault: retried; anything else is given up
            throw switch (e.reason()) {
                case UNRESOLVED -> {
                    count("unresolved");
                    yield new WebhookDeliveryException(e.getMessage());
                }
                case NOT_ALLOWED -> {
                    count("refused");
                    yield new WebhookRefusedException(e.getMessage());
                }
            };
        }
        byte[] body = body(job);
        long timestamp = Instant.now().getEpochSecond();
        String id = messageId(job, event);
        SimpleRequestBuilder request = SimpleRequestBuilder.post(target)
                .setBody(body, ContentType.APPLICATION_JSON)
                .addHeader("User-Agent", "noise2noise-webhooks")
                .addHeader("webhook-id", id)
                .addHeader("webhook-timestamp", Long.toString(timestamp));
        String signature = signer.signature(job.spec().owner(), id, timestamp, body);
        if (signature != null) {
            request.addHeader("webhook-signature", signature);
        }
        HttpResponse response = exchange(job, event, request.build());
        Instant answeredAt = Instant.now();
        int status = response.getCode();
        boolean delivered = status / 100 == 2;
        Duration retryAfter = delivered || status == 410
                ? null
                : RetryAfter.parse(
                                Optional.ofNullable(response.getFirstHeader("Retry-After"))
                                        .map(Header::getValue)
                                        .orElse(null),
                                answeredAt,
                                properties.maxRetryAfter())
                        .orElse(null);
        deliveries.recordAttempt(
                job.id(), event, delivered, status, delivered ? null : "HTTP " + status, answeredAt, retryAfter);
        count(delivered ? "delivered" : status == 410 ? "gone" : "failed");
        if (status == 410) {
            throw new WebhookRefusedException("webhook of job " + job.id() + " answered 410 Gone");
        }
        if (!delivered) {
            throw new WebhookDeliveryException("webhook of job " + job.id() + " answered " + status
                    + (retryAfter == null ? "" : ", Retry-After " + retryAfter.toSeconds() + " s"));
        }
    }

    /**
     * The response as soon as its headers are in; the exchange is then cancelled, which drops the
     * connection rather than wait for a body that may never end. No answer within the timeout
     * (connecting and sending included) is a failure.
     */
    private HttpResponse exchange(Job job, WebhookEvent event, SimpleHttpRequest request) {
        CompletableFuture<HttpResponse> headers = new CompletableFuture<>();
        Future<Void> exchange =
                http.execute(SimpleRequestProducer.create(request), new HeadersOnly(headers), new FutureCallback<>() {
                    @Override
                    public void completed(Void result) {
                        headers.completeExceptionally(new IOException("exchange ended without a response"));
                    }

                    @Override
                    public void failed(Exception e) {
                        headers.completeExceptionally(e);
                    }

                    @Override
                    public void cancelled() {
                        headers.completeExceptionally(new IOException("exchange cancelled"));
                    }
                });
        try {
            return headers.get(properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unreachable(
                    job, event, "no answer within " + properties.timeout().toMillis() + " ms", "timeout");
        } catch (ExecutionException e) {
            throw unreachable(job, event, String.valueOf(e.getCause()), "unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebhookDeliveryException("interrupted delivering webhook of job " + job.id());
        } finally {
            exchange.cancel(true);
        }
    }

    /** Takes the status line and headers, and nothing of the body. */
    private record HeadersOnly(CompletableFuture<HttpResponse> headers) implements AsyncResponseConsumer<Void> {

        @Override
        public void consumeResponse(
                HttpResponse response, EntityDetails entity, HttpContext context, FutureCallback<Void> done) {
            headers.complete(response);
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context) {
            // 1xx: the final answer is still to come
        }

        @Override
        public void updateCapacity(CapacityChannel capacityChannel) {
            // no body wanted: no capacity is offered for it
        }

        @Override
        public void consume(ByteBuffer data) {
            data.position(data.limit());
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
            // nothing kept
        }

        @Override
        public void failed(Exception cause) {
            headers.completeExceptionally(cause);
        }

        @Override
        public void releaseResources() {
            // nothing held
        }
    }

    /** Records the failed attempt; the exception to throw. */
    private WebhookDeliveryException unreachable(Job job, WebhookEvent event, String error, String outcome) {
        deliveries.recordAttempt(job.id(), event, false, null, error);
        count(outcome);
        return new WebhookDeliveryException("webhook of job " + job.id() + " unreachable: " + error);
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
