package io.noise2noise.gateway.bodies;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.JsonBodyLimits;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.image.ImageLimits;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The one home of request body sizes: each route's limit, derived from {@code n2n.images.max-bytes}
 * (a raw image body: the limit itself; multipart: plus room for the form fields; JSON: the longest
 * base64 string plus room for the other fields), and the budget of body bytes held at once
 * ({@code n2n.gateway.bodies.in-flight-budget}).
 */
@Component
public class RequestBodies {

    /** Room for the form fields and part headers around a multipart file. */
    static final long MULTIPART_OVERHEAD = 1L << 20;
    /** Room for the fields around a JSON body's image string. */
    static final long JSON_OVERHEAD = 64L << 10;

    private final ImageLimits limits;
    private final long budget;
    private final GatewayProperties.Bodies properties;
    private final AtomicLong reserved = new AtomicLong();

    public RequestBodies(ImageLimits limits, GatewayProperties properties) {
        this.limits = limits;
        this.properties = properties.bodies();
        this.budget = this.properties.inFlightBudget().toBytes();
    }

    /** The most bytes a body of this request's content type may have. */
    public long limit(HttpServletRequest request) {
        String type =
                request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("image/")) {
            return limits.maxBytes().toBytes();
        }
        if (type.startsWith("multipart/")) {
            return multipartLimit();
        }
        return JsonBodyLimits.maxStringLength(limits) + JSON_OVERHEAD;
    }

    /**
     * Reads a raw body within its route's limit: one array of the declared length (checked before
     * by {@link BodyLimitInterceptor}), or, chunked, at most the limit (the stream of
     * {@link BoundedBodyFilter} stops past it).
     */
    public byte[] read(HttpServletRequest request) {
        checkDeclaredLength(request);
        long length = request.getContentLengthLong();
        try (InputStream body = request.getInputStream()) {
            if (length < 0) {
                return body.readAllBytes();
            }
            byte[] data = new byte[(int) length];
            int read = body.readNBytes(data, 0, data.length);
            if (read < data.length) {
                throw new RequestRefusedException(
                        Reason.MALFORMED_REQUEST,
                        "the request body ended after " + read + " of its " + length + " bytes");
            }
            return data;
        } catch (BodyTooLargeException e) {
            throw new RequestRefusedException(Reason.BODY_TOO_LARGE, e.getMessage());
        } catch (IOException e) {
            throw new RequestRefusedException(
                    Reason.MALFORMED_REQUEST, "the request body could not be read: " + e.getMessage());
        }
    }

    /** A multipart body: the file at the byte limit, and its form fields. */
    public long multipartLimit() {
        return limits.maxBytes().toBytes() + MULTIPART_OVERHEAD;
    }

    /** Whether the request has a body: a length above zero, or chunked. */
    public static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    /** What a client whose body is over {@code limit} is told. */
    public String tooLargeMessage(long size, long limit) {
        return "the request body has " + (size < 0 ? "more than " + limit : size)
                + " bytes; the limit for this route is "
                + limit + " (from n2n.images.max-bytes, " + limits.maxBytes().toBytes()
                + " bytes of image); send bigger"
                + " images with POST /v1/uploads (up to "
                + limits.maxUploadBytes().toBytes()
                + " bytes, n2n.images.max-upload-bytes)";
    }

    /** Refuses a request whose declared body is over its route's limit, before a byte is read. */
    public void checkDeclaredLength(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        long limit = limit(request);
        if (length > limit) {
            throw new RequestRefusedException(Reason.BODY_TOO_LARGE, tooLargeMessage(length, limit));
        }
    }

    /**
     * Reserves {@code bytes} of the in-flight budget, or refuses the request (503) if they do not fit
     * beside what others hold (a body alone always fits); release them with {@link #release}.
     */
    public void reserve(long bytes) {
        long now = reserved.addAndGet(bytes);
        if (now > budget && now != bytes) {
            reserved.addAndGet(-bytes);
            throw new RequestRefusedException(
                    Reason.GATEWAY_BUSY,
                    "the gateway holds " + (now - bytes)
                            + " bytes of request bodies; this one's " + bytes + " would pass the budget of " + budget
                            + " (n2n.gateway.bodies.in-flight-budget): try again shortly",
                    properties.retryAfter());
        }
    }

    public void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    /** Bytes of the budget reserved now. */
    public long reserved() {
        return reserved.get();
    }
}
