package io.noise2noise.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.jobs.SubmissionException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;

class WebhookSecurityTest {

    @Test
    void signsLikeTheStandardWebhooksReferenceVector() {
        WebhookSigner signer = new WebhookSigner(properties(false, List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));

        String signature = signer.signature(null, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void signsWithEverySecretDuringRotationAndNotAtAllWithoutOne() {
        WebhookSigner rotating = new WebhookSigner(properties(false,
                List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2Vjb25kLXNlY3JldC1rZXk=")));
        WebhookSigner none = new WebhookSigner(properties(false, List.of()));

        assertThat(rotating.signature(null, "msg_1", 1, new byte[0]).split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        assertThat(none.signature(null, "msg_1", 1, new byte[0])).isNull();
        assertThatThrownBy(() -> new WebhookSigner(properties(false, List.of("whsec_%%%"))))
                .hasMessageContaining("whsec_");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
            "100.64.0.1", "::1", "fd00::1", "fe80::1"})
    void internalAddressesAreRecognised(String address) throws Exception {
        assertThat(WebhookTargets.isInternal(InetAddress.getByName(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "2606:4700::1111"})
    void publicAddressesAreNot(String address) throws Exception {
        assertThat(WebhookTargets.isInternal(InetAddress.getByName(address))).isFalse();
    }

    @Test
    void refusesUnsafeTargetsUnlessPrivateNetworksAreAllowed() {
        WebhookTargets strict = new WebhookTargets(properties(false, List.of()));
        WebhookTargets permissive = new WebhookTargets(properties(true, List.of()));

        assertThatThrownBy(() -> strict.check("http://127.0.0.1:8080/hook"))
                .isInstanceOf(SubmissionException.class).hasMessageContaining("non-public address");
        assertThatThrownBy(() -> strict.check("http://169.254.169.254/latest/meta-data"))
                .hasMessageContaining("non-public address");
        assertThatThrownBy(() -> strict.check("ftp://example.org/")).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> strict.check("https://user:pw@example.org/")).hasMessageContaining("credentials");
        assertThat(permissive.check("http://127.0.0.1:8080/hook").getPort()).isEqualTo(8080);
    }

    private static GatewayProperties properties(boolean allowPrivate, List<String> secrets) {
        return new GatewayProperties(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofHours(1), Duration.ofMinutes(15), new GatewayProperties.Webhooks(Duration.ofSeconds(1), 3, 100,
                Duration.ofMinutes(5), allowPrivate, secrets),
                new GatewayProperties.Backpressure(10, Duration.ofSeconds(1), Duration.ofSeconds(1), "workers"),
                new GatewayProperties.Waiters(10, 10, Duration.ofSeconds(1), Duration.ofSeconds(1)),
                new GatewayProperties.Bodies(DataSize.ofMegabytes(64), Duration.ofSeconds(1)),
                new GatewayProperties.Quotas(10, 10, Duration.ofSeconds(1), Duration.ofMinutes(1)), List.of());
    }
}
