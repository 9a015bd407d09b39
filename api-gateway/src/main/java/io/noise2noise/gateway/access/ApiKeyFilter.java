package io.noise2noise.gateway.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.legacy.LegacyResponse;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Optional bearer API keys and per-key rate limits. With no keys configured everything is open.
 * With keys, every request except health and the API document must carry a known key; the key's
 * id becomes the owner of the jobs it creates ({@link #OWNER}), and a key sees only its own jobs.
 * Errors of {@code POST /} keep the legacy envelope.
 */
public class ApiKeyFilter extends OncePerRequestFilter {

    /** Request attribute holding the calling key's id, for controllers. */
    public static final String OWNER = "n2n.owner";

    private final List<GatewayProperties.ApiKey> keys;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final ObjectMapper mapper;

    public ApiKeyFilter(List<GatewayProperties.ApiKey> keys, ObjectMapper mapper) {
        this.keys = keys;
        this.mapper = mapper;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return keys.isEmpty() || path.startsWith("/actuator") || path.startsWith("/v3/api-docs");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        GatewayProperties.ApiKey key = header != null && header.startsWith("Bearer ")
                ? find(header.substring("Bearer ".length()).strip())
                : null;
        if (key == null) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            refuse(
                    request,
                    response,
                    HttpStatus.UNAUTHORIZED,
                    "a valid API key is required (Authorization: Bearer ...)",
                    null);
            return;
        }
        TokenBucket bucket = buckets.computeIfAbsent(key.id(), id -> new TokenBucket(key.requestsPerMinute()));
        long waitSeconds = bucket.take();
        if (waitSeconds > 0) {
            refuse(
                    request,
                    response,
                    HttpStatus.TOO_MANY_REQUESTS,
                    "rate limit of " + key.requestsPerMinute() + " requests per minute reached",
                    waitSeconds);
            return;
        }
        request.setAttribute(OWNER, key.id());
        chain.doFilter(request, response);
    }

    private GatewayProperties.ApiKey find(String presented) {
        byte[] hash = sha256(presented);
        GatewayProperties.ApiKey match = null;
        for (GatewayProperties.ApiKey key : keys) {
            // compare every key in constant time, so timing tells nothing about which one nearly matched
            if (MessageDigest.isEqual(hash, HexFormat.of().parseHex(key.sha256()))) {
                match = key;
            }
        }
        return match;
    }

    private void refuse(
            HttpServletRequest request,
            HttpServletResponse response,
            HttpStatus status,
            String message,
            Long retryAfter)
            throws IOException {
        if (retryAfter != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, retryAfter.toString());
        }
        if ("/".equals(request.getRequestURI())) {
            response.setStatus(HttpStatus.OK.value());
            response.setHeader("X-N2N-Status", String.valueOf(status.value()));
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            mapper.writeValue(response.getOutputStream(), LegacyResponse.error(message));
        } else {
            response.setStatus(status.value());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            mapper.writeValue(response.getOutputStream(), ProblemDetail.forStatusAndDetail(status, message));
        }
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refills continuously at the per-minute rate, holding at most one minute's worth. */
    static final class TokenBucket {
        private final double capacity;
        private final double perNano;
        private double tokens;
        private long updatedAt = System.nanoTime();

        TokenBucket(int perMinute) {
            this.capacity = perMinute;
            this.perNano = perMinute / 60e9;
            this.tokens = perMinute;
        }

        /** 0 when a token was taken, else the seconds until one is available. */
        synchronized long take() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - updatedAt) * perNano);
            updatedAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perNano / 1e9);
        }
    }
}
