package io.noise2noise.gateway.bodies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.GatewaySettings;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.image.ImageLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** Body refusals: over the route's limit, cut short, or over the in-flight budget. */
class RequestBodiesTest {

    private static final long BUDGET = 1000;

    private final RequestBodies bodies =
            new RequestBodies(ImageLimits.of(Map.of("max-bytes", "100B", "max-upload-bytes", "1000B")), properties());

    @Test
    void aDeclaredLengthOverTheRouteLimitIsRefusedBeforeReading() {
        MockHttpServletRequest request = imageRequest(new byte[101]);

        assertThatThrownBy(() -> bodies.checkDeclaredLength(request))
                .isInstanceOfSatisfying(
                        RequestRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BODY_TOO_LARGE))
                .hasMessageStartingWith("the request body has 101 bytes; the limit for this route is 100");
        assertThat(bodies.read(imageRequest(new byte[100]))).hasSize(100);
    }

    @Test
    void aBodyShorterThanItsDeclaredLengthIsMalformed() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/jobs") {
            @Override
            public long getContentLengthLong() {
                return 20;
            }
        };
        request.setContentType("image/png");
        request.setContent(new byte[10]);

        assertThatThrownBy(() -> bodies.read(request))
                .isInstanceOfSatisfying(
                        RequestRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_REQUEST))
                .hasMessage("the request body ended after 10 of its 20 bytes");
    }

    @Test
    void aBodyThatDoesNotFitBesideOthersIsRefusedUntilTheyAreReleased() {
        bodies.reserve(600);

        assertThatThrownBy(() -> bodies.reserve(500)).isInstanceOfSatisfying(RequestRefusedException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.GATEWAY_BUSY);
            assertThat(e.retryAfterSeconds()).isEqualTo(2);
        });
        assertThat(bodies.reserved()).isEqualTo(600);
        bodies.release(600);
        bodies.reserve(BUDGET + 1);
        assertThat(bodies.reserved()).as("a body alone always fits").isEqualTo(BUDGET + 1);
    }

    private static MockHttpServletRequest imageRequest(byte[] body) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/jobs");
        request.setContentType("image/png");
        request.setContent(body);
        return request;
    }

    private static GatewayProperties properties() {
        return GatewaySettings.bind(
                Map.of("n2n.gateway.bodies.in-flight-budget", BUDGET + "B", "n2n.gateway.bodies.retry-after", "2s"));
    }
}
