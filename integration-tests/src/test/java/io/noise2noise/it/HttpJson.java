package io.noise2noise.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client on loopback, speaking JSON. */
public final class HttpJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpJson() {}

    public record Response(int status, JsonNode body, HttpResponse<byte[]> raw) {}

    public static Response post(String url, Object body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The webhook delivery records {@code GET /v1/jobs/{id}} shows (an empty array before the first attempt). */
    public static JsonNode webhookDeliveries(String baseUrl, String jobId) {
        JsonNode deliveries = get(baseUrl + "/v1/jobs/" + jobId).body().get("webhook_deliveries");
        return deliveries == null ? MAPPER.createArrayNode() : deliveries;
    }

    public static Response get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    /** A JSON request ({@code body} null: none), with a bearer {@code key} unless it is null. */
    public static Response sendWithKey(String url, String method, Object body, String key) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
                    .header("Content-Type", "application/json");
            if (key != null) {
                request.header("Authorization", "Bearer " + key);
            }
            return send(request.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            String type = response.headers().firstValue("Content-Type").orElse("");
            JsonNode json = type.contains("json") ? MAPPER.readTree(response.body()) : null;
            return new Response(response.statusCode(), json, response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
