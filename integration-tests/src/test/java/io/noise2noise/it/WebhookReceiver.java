package io.noise2noise.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on loopback that verifies Standard Webhooks signatures the way a client would
 * (an implementation independent of the gateway's), and can fail its first deliveries, optionally
 * asking for a {@code Retry-After}.
 */
public final class WebhookReceiver implements AutoCloseable {

    public static final String SECRET = "whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS1pbnRlZ3JhdGlvbi10ZXN0cw==";

    /** @param arrivedAt when the receiver got it */
    public record Delivery(String id, long timestamp, JsonNode body, Instant arrivedAt) {}

    private final HttpServer server;
    private final List<Delivery> verified = new CopyOnWriteArrayList<>();
    private final List<String> attemptIds = new CopyOnWriteArrayList<>();
    private final List<Instant> attemptTimes = new CopyOnWriteArrayList<>();

    private WebhookReceiver(int failuresFirst, String retryAfter) throws IOException {
        AtomicInteger failuresLeft = new AtomicInteger(failuresFirst);
        ObjectMapper mapper = new ObjectMapper();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String signatures = exchange.getRequestHeaders().getFirst("webhook-signature");
            Instant arrivedAt = Instant.now();
            attemptTimes.add(arrivedAt);
            attemptIds.add(id);
            int status;
            if (failuresLeft.getAndDecrement() > 0) {
                status = 503;
                if (retryAfter != null) {
                    exchange.getResponseHeaders().add("Retry-After", retryAfter);
                }
            } else if (id == null
                    || timestamp == null
                    || signatures == null
                    || !List.of(signatures.split(" ")).contains(sign(id, timestamp, body))) {
                status = 401;
            } else {
                verified.add(new Delivery(id, Long.parseLong(timestamp), mapper.readTree(body), arrivedAt));
                status = 204;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** A receiver whose first {@code failures} deliveries answer 503. */
    public static WebhookReceiver failingFirst(int failures) throws IOException {
        return new WebhookReceiver(failures, null);
    }

    /** A receiver whose first {@code failures} deliveries answer 503 with {@code Retry-After: retryAfter}. */
    public static WebhookReceiver failingFirst(int failures, String retryAfter) throws IOException {
        return new WebhookReceiver(failures, retryAfter);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Deliveries that arrived with a valid signature, in order. */
    public List<Delivery> verified() {
        return verified;
    }

    /** The webhook-id of every attempt, failed ones included, in order. */
    public List<String> attemptIds() {
        return attemptIds;
    }

    /** When each attempt arrived, failed ones included, in order. */
    public List<Instant> attemptTimes() {
        return attemptTimes;
    }

    static String sign(String id, String timestamp, byte[] body) {
        return sign(SECRET, id, timestamp, body);
    }

    /** The Standard Webhooks signature of a delivery with {@code secret} ({@code whsec_<base64>}). */
    static String sign(String secret, String id, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
