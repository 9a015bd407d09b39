package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.GatewaySettings;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.gateway.bodies.RequestBodies;
import io.noise2noise.gateway.webhooks.WebhookTargets;
import io.noise2noise.image.ImageLimits;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fetching a job's image by URL from a real HTTP server on loopback: limits, refusals, time and slots. */
class ImageUrlsTest {

    private static final byte[] IMAGE = "not decoded here, only fetched".getBytes();
    private static final int MAX_BYTES = 64 * 1024;

    private final HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch stalledStarted = new CountDownLatch(1);
    private final ImageLimits limits = ImageLimits.of(Map.of("max-bytes", MAX_BYTES + "B"));
    private final GatewayProperties permissive = GatewaySettings.bind(Map.of(
            "n2n.gateway.webhooks.allow-private-networks",
            true,
            "n2n.gateway.image-urls.timeout",
            "1s",
            "n2n.gateway.image-urls.max-concurrent",
            1));
    private final RequestBodies bodies = new RequestBodies(limits, permissive);
    private final ImageUrls urls = new ImageUrls(new WebhookTargets(permissive), bodies, limits, permissive);

    ImageUrlsTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/image.png", exchange -> {
            exchange.sendResponseHeaders(200, IMAGE.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(IMAGE);
            }
        });
        server.createContext("/missing", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/image.png");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/declared-huge", exchange -> {
            exchange.sendResponseHeaders(200, 10L * MAX_BYTES);
            exchange.close();
        });
        server.createContext("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, no length declared
            try (OutputStream body = exchange.getResponseBody()) {
                byte[] chunk = new byte[8192];
                for (int i = 0; i < 1000; i++) {
                    body.write(chunk);
                }
            } catch (IOException e) {
                // the gateway hung up once past the limit, as it should
            }
        });
        server.createContext("/drip", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            try (OutputStream body = exchange.getResponseBody()) {
                for (int i = 0; i < 1000; i++) {
                    body.write(0);
                    body.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // cut off by the gateway's deadline
            }
        });
        server.createContext("/stalled", exchange -> {
            stalledStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        urls.destroy();
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void theImageIsHandedOnWithItsBytesReservedOnlyWhileInUse() {
        long[] reservedDuring = new long[1];
        byte[] fetched = urls.withImage(url("/image.png"), image -> {
            reservedDuring[0] = bodies.reserved();
            return image;
        });

        assertThat(fetched).isEqualTo(IMAGE);
        assertThat(reservedDuring[0]).isEqualTo(MAX_BYTES);
        assertThat(bodies.reserved()).isZero();
        assertThat(urls.freeSlots()).isEqualTo(1);
    }

    @Test
    void errorsAndRedirectsAreRefusedSayingWhatTheServerAnswered() {
        assertThat(refusal(url("/missing")).getMessage()).contains("HTTP 404");
        RequestRefusedException moved = refusal(url("/moved"));
        assertThat(moved.reason()).isEqualTo(Reason.IMAGE_URL_UNAVAILABLE);
        assertThat(moved.getMessage()).contains("HTTP 302").contains("redirects are not followed");
        assertThat(bodies.reserved()).isZero();
    }

    @Test
    void anImageOverTheByteLimitIsRefusedDeclaredOrNot() {
        long start = System.nanoTime();
        assertThat(refusal(url("/declared-huge")).reason()).isEqualTo(Reason.IMAGE_TOO_LARGE);
        assertThat(refusal(url("/endless")).reason()).isEqualTo(Reason.IMAGE_TOO_LARGE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .as("nothing read past the limit")
                .isLessThan(5000);
        assertThat(bodies.reserved()).isZero();
    }

    @Test
    void aServerThatDripsTheImageIsCutOffAtTheTimeout() {
        long start = System.nanoTime();
        RequestRefusedException slow = refusal(url("/drip"));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(slow.reason()).isEqualTo(Reason.IMAGE_URL_UNAVAILABLE);
        assertThat(slow.getMessage()).contains("within 1 s");
        assertThat(tookMs).as("1 s timeout; the drip would take 100 s").isBetween(900L, 4000L);
    }

    @Test
    void whileEveryFetchSlotIsTakenAnotherIsRefusedAtOnceWithRetryAfter() throws Exception {
        CompletableFuture<RequestRefusedException> stalled =
                CompletableFuture.supplyAsync(() -> refusal(url("/stalled")));
        assertThat(stalledStarted.await(5, TimeUnit.SECONDS)).isTrue();

        RequestRefusedException busy = refusal(url("/image.png"));
        release.countDown();

        assertThat(busy.reason()).isEqualTo(Reason.GATEWAY_BUSY);
        assertThat(busy.retryAfterSeconds()).isEqualTo(5);
        assertThat(stalled.get(10, TimeUnit.SECONDS).reason()).isEqualTo(Reason.IMAGE_URL_UNAVAILABLE);
        assertThat(urls.freeSlots()).isEqualTo(1);
    }

    @Test
    void internalHostsAndOtherSchemesAreRefusedBeforeAnyConnection() {
        GatewayProperties strict = GatewaySettings.bind(Map.of());
        ImageUrls strictUrls = new ImageUrls(new WebhookTargets(strict), bodies, limits, strict);
        try {
            for (String internal : new String[] {
                url("/image.png"),
                "http://localhost/a.png",
                "http://10.0.0.1/a.png",
                "http://169.254.169.254/latest/meta-data",
                "http://[::1]/a.png"
            }) {
                RequestRefusedException refused = catchThrowableOfType(
                        RequestRefusedException.class, () -> strictUrls.withImage(internal, image -> image));
                assertThat(refused.reason()).as(internal).isEqualTo(Reason.IMAGE_URL_NOT_ALLOWED);
                assertThat(refused.getMessage()).isEqualTo(WebhookTargets.notAllowed("image_url"));
            }
            assertThat(catchThrowableOfType(
                                    RequestRefusedException.class,
                                    () -> strictUrls.withImage("file:///etc/passwd", image -> image))
                            .getMessage())
                    .isEqualTo("image_url must be an absolute http(s) URL");
        } finally {
            strictUrls.destroy();
        }
    }

    private RequestRefusedException refusal(String url) {
        RequestRefusedException refused =
                catchThrowableOfType(RequestRefusedException.class, () -> urls.withImage(url, Function.identity()));
        assertThat(refused).as("refused: " + url).isNotNull();
        return refused;
    }
}
