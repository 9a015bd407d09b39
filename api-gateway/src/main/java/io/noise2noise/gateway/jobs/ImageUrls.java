package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.gateway.bodies.RequestBodies;
import io.noise2noise.gateway.webhooks.InvalidWebhookException;
import io.noise2noise.gateway.webhooks.WebhookTargets;
import io.noise2noise.image.ImageLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Service;

/**
 * Fetches the image of a job submitted with {@code image_url}. The URL passes the same checks as a
 * webhook, and the connection goes only to addresses that were vetted (the client's resolver), so a
 * DNS answer that changes after the check cannot point the gateway inward. No redirect is followed.
 * The body is read up to {@code n2n.images.max-bytes}, reserved from the request bodies' budget
 * while the job is created, and the whole fetch ends within the configured timeout.
 */
@Service
public class ImageUrls implements DisposableBean {

    /** How long one read may block; the whole fetch's deadline is checked between reads. */
    private static final Timeout READ_TIMEOUT = Timeout.ofSeconds(2);

    private final WebhookTargets targets;
    private final RequestBodies bodies;
    private final long maxBytes;
    private final GatewayProperties.ImageUrls settings;
    private final Semaphore slots;
    private final CloseableHttpClient http;

    public ImageUrls(WebhookTargets targets, RequestBodies bodies, ImageLimits limits, GatewayProperties properties) {
        this.targets = targets;
        this.bodies = bodies;
        this.maxBytes = limits.maxBytes().toBytes();
        this.settings = properties.imageUrls();
        this.slots = new Semaphore(settings.maxConcurrent());
        DnsResolver vetted = targets.resolver();
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(vetted)
                        .setMaxConnTotal(settings.maxConcurrent())
                        .setMaxConnPerRoute(settings.maxConcurrent())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(settings.timeout()))
                                .setSocketTimeout(READ_TIMEOUT)
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setRedirectsEnabled(false)
                        .setResponseTimeout(READ_TIMEOUT)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("noise2noise-gateway")
                .build();
    }

    /**
     * Fetches {@code url} and hands its bytes to {@code use} (which creates the job), keeping them
     * reserved from the in-flight budget until it returns.
     */
    public <T> T withImage(String url, Function<byte[], T> use) {
        URI uri;
        try {
            uri = targets.check("image_url", url);
        } catch (InvalidWebhookException e) {
            throw new RequestRefusedException(Reason.IMAGE_URL_NOT_ALLOWED, e.getMessage());
        }
        if (!slots.tryAcquire()) {
            throw new RequestRefusedException(
                    Reason.GATEWAY_BUSY,
                    "the gateway is fetching " + settings.maxConcurrent()
                            + " image URLs already (n2n.gateway.image-urls.max-concurrent); try again shortly",
                    settings.retryAfter());
        }
        try {
            bodies.reserve(maxBytes);
            try {
                return use.apply(fetch(uri, url));
            } finally {
                bodies.release(maxBytes);
            }
        } finally {
            slots.release();
        }
    }

    private byte[] fetch(URI uri, String url) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", "image/*");
        try (ClassicHttpResponse response = http.executeOpen(null, get, null)) {
            try {
                return read(response, deadline);
            } catch (RequestRefusedException | IOException e) {
                get.cancel(); // drop the connection: closing it normally would read the rest of the body
                throw e;
            }
        } catch (WebhookTargets.InternalAddressException e) {
            throw new RequestRefusedException(Reason.IMAGE_URL_NOT_ALLOWED, WebhookTargets.notAllowed("image_url"));
        } catch (UnknownHostException e) {
            throw unavailable("its host does not resolve");
        } catch (InterruptedIOException e) {
            throw unavailable("it did not answer in time (" + e.getClass().getSimpleName() + ")");
        } catch (IOException e) {
            throw unavailable("the connection failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private byte[] read(ClassicHttpResponse response, long deadline) throws IOException {
        int status = response.getCode();
        if (status != 200) {
            throw unavailable(
                    "it answered HTTP " + status + (status / 100 == 3 ? " (redirects are not followed)" : ""));
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            throw unavailable("it answered with no body");
        }
        if (entity.getContentLength() > maxBytes) {
            throw tooLarge(entity.getContentLength());
        }
        ByteArrayOutputStream image = new ByteArrayOutputStream((int)
                Math.max(8192, Math.min(maxBytes, Math.max(0, entity.getContentLength()))));
        byte[] buffer = new byte[64 * 1024];
        InputStream body = entity.getContent();
        for (int n; (n = body.read(buffer)) >= 0; ) {
            if (image.size() + n > maxBytes) {
                throw tooLarge(image.size() + n);
            }
            image.write(buffer, 0, n);
            if (System.nanoTime() > deadline) {
                throw unavailable("it did not send the whole image within "
                        + settings.timeout().toSeconds() + " s");
            }
        }
        return image.toByteArray();
    }

    private RequestRefusedException tooLarge(long bytes) {
        return new RequestRefusedException(
                Reason.IMAGE_TOO_LARGE,
                "image_url's image has more than " + maxBytes + " bytes (" + bytes + "; n2n.images.max-bytes)");
    }

    private static RequestRefusedException unavailable(String why) {
        return new RequestRefusedException(Reason.IMAGE_URL_UNAVAILABLE, "image_url could not be fetched: " + why);
    }

    @Override
    public void destroy() {
        http.close(CloseMode.IMMEDIATE);
    }

    /** Fetch slots free now (for tests and metrics). */
    int freeSlots() {
        return slots.availablePermits();
    }
}
