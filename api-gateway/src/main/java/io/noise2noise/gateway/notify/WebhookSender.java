package io.noise2noise.gateway.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.jobs.JobView;
import io.noise2noise.job.Job;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.springframework.stereotype.Component;

/** One delivery of a job to its webhook: POST of the job as the API shows it; anything but 2xx fails. */
@Component
public class WebhookSender {

    private final HttpClient http;
    private final ObjectMapper mapper;
    private final GatewayProperties properties;

    public WebhookSender(ObjectMapper mapper, GatewayProperties properties) {
        this.mapper = mapper;
        this.properties = properties;
        this.http = HttpClient.newBuilder()
                .connectTimeout(properties.webhookTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public void deliver(Job job) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(job.webhook()))
                .timeout(properties.webhookTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "noise2noise-webhooks")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(job)))
                .build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new WebhookDeliveryException("webhook of job " + job.id() + " answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new WebhookDeliveryException("webhook of job " + job.id() + " unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebhookDeliveryException("interrupted delivering webhook of job " + job.id());
        }
    }

    private byte[] body(Job job) {
        try {
            return mapper.writeValueAsBytes(JobView.of(job));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static class WebhookDeliveryException extends RuntimeException {
        public WebhookDeliveryException(String message) {
            super(message);
        }
    }
}
