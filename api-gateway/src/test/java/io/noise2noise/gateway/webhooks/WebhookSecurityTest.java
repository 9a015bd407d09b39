package io.noise2noise.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.GatewaySettings;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSecurityTest {

    @Test
    void signsLikeTheStandardWebhooksReferenceVector() {
        WebhookSigner signer = new WebhookSigner(properties(false, List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));

        String signature = signer.signature(
                null,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void signsWithEverySecretDuringRotationAndNotAtAllWithoutOne() {
        WebhookSigner rotating = new WebhookSigner(
                properties(false, List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2Vjb25kLXNlY3JldC1rZXk=")));
        WebhookSigner none = new WebhookSigner(properties(false, List.of()));

        assertThat(rotating.signature(null, "msg_1", 1, new byte[0]).split(" "))
                .hasSize(2)
                .allMatch(s -> s.startsWith("v1,"));
        assertThat(none.signature(null, "msg_1", 1, new byte[0])).isNull();
        assertThatThrownBy(() -> new WebhookSigner(properties(false, List.of("whsec_%%%"))))
                .hasMessageContaining("whsec_");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "10.1.2.3",
                "172.16.0.1",
                "192.168.1.1",
                "169.254.169.254",
                "0.0.0.0",
                "100.64.0.1",
                "::1",
                "fd00::1",
                "fe80::1",
                // reserved, benchmarking, documentation, multicast
                "240.0.0.1",
                "255.255.255.255",
                "198.18.0.1",
                "198.19.255.1",
                "192.0.2.1",
                "198.51.100.7",
                "203.0.113.9",
                "224.0.0.1",
                "239.255.255.250",
                "192.0.0.8",
                "2001:db8::1",
                "3fff::1",
                "ff02::1",
                "100::1",
                "2001:2::1",
                // IPv6 forms of refused IPv4 addresses: NAT64, 6to4, IPv4-compatible and -mapped; Teredo, local NAT64
                "64:ff9b::a9fe:a9fe",
                "64:ff9b::7f00:1",
                "64:ff9b::a00:1",
                "2002:7f00:1::",
                "2002:a9fe:a9fe::1",
                "::7f00:1",
                "::a9fe:a9fe",
                "::ffff:127.0.0.1",
                "::ffff:10.0.0.1",
                "2001::1",
                "2001:0:4136:e378::1",
                "64:ff9b:1::a9fe:a9fe",
                "::",
                "fec0::1"
            })
    void internalAddressesAreRecognised(String address) throws Exception {
        assertThat(WebhookTargets.isInternal(InetAddress.getByName(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "8.8.8.8",
                "1.1.1.1",
                "2606:4700::1111",
                "64:ff9b::808:808",
                "2002:808:808::1",
                "198.20.0.1",
                "203.0.114.1",
                "2001:4860:4860::8888"
            })
    void publicAddressesAreNot(String address) throws Exception {
        assertThat(WebhookTargets.isInternal(InetAddress.getByName(address))).isFalse();
    }

    @Test
    void refusesUnsafeTargetsUnlessPrivateNetworksAreAllowed() {
        WebhookTargets strict = new WebhookTargets(properties(false, List.of()));
        WebhookTargets permissive = new WebhookTargets(properties(true, List.of()));

        assertThatThrownBy(() -> strict.check("http://127.0.0.1/hook"))
                .isInstanceOfSatisfying(
                        InvalidWebhookException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidWebhookException.Reason.NOT_ALLOWED))
                .hasMessage(WebhookTargets.NOT_ALLOWED);
        assertThatThrownBy(() -> strict.check("http://169.254.169.254/latest/meta-data"))
                .hasMessage(WebhookTargets.NOT_ALLOWED);
        assertThatThrownBy(() -> strict.check("http://[64:ff9b::a9fe:a9fe]/")).hasMessage(WebhookTargets.NOT_ALLOWED);
        assertThatThrownBy(() -> strict.check("http://[2002:7f00:1::]/")).hasMessage(WebhookTargets.NOT_ALLOWED);
        assertThatThrownBy(() -> strict.check("http://[::7f00:1]/")).hasMessage(WebhookTargets.NOT_ALLOWED);
        assertThatThrownBy(() -> strict.check("ftp://example.org/")).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> strict.check("https://user:pw@example.org/")).hasMessageContaining("credentials");
        assertThat(permissive.check("http://127.0.0.1:8080/hook").getPort()).isEqualTo(8080);
    }

    @Test
    void refusesOverlongUrlsOnSubmission() {
        WebhookTargets targets = new WebhookTargets(properties(true, List.of()));
        String base = "http://127.0.0.1:8080/hook?pad=";

        assertThat(targets.check(base + "x".repeat(2048 - base.length())).getPort())
                .isEqualTo(8080);
        assertThatThrownBy(() -> targets.check(base + "x".repeat(2049 - base.length())))
                .isInstanceOfSatisfying(
                        InvalidWebhookException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidWebhookException.Reason.NOT_ALLOWED))
                .hasMessageContaining("longer than 2048 characters");
        assertThatThrownBy(() -> targets.check(base + "x".repeat(1 << 20))).hasMessageContaining("longer than");
    }

    @Test
    void aHostThatDoesNotResolveGetsTheSameAnswerButDeliveriesCanTellItApartToRetryIt() {
        WebhookTargets strict = new WebhookTargets(properties(false, List.of()));

        assertThatThrownBy(() -> strict.check("http://no-such-host.invalid/hook"))
                .isInstanceOfSatisfying(
                        InvalidWebhookException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidWebhookException.Reason.UNRESOLVED))
                .hasMessage(WebhookTargets.NOT_ALLOWED);
    }

    @Test
    void deliveriesResolveOnlyToVettedAddresses() throws Exception {
        WebhookTargets strict = new WebhookTargets(properties(false, List.of()));
        WebhookTargets permissive = new WebhookTargets(properties(true, List.of()));

        assertThatThrownBy(() -> strict.vettedAddresses("127.0.0.1"))
                .isInstanceOf(WebhookTargets.InternalAddressException.class);
        assertThatThrownBy(() -> strict.vettedAddresses("localhost"))
                .isInstanceOf(WebhookTargets.InternalAddressException.class);
        assertThatThrownBy(() -> strict.vettedAddresses("64:ff9b::7f00:1"))
                .isInstanceOf(WebhookTargets.InternalAddressException.class);
        assertThat(strict.vettedAddresses("8.8.8.8")).containsExactly(InetAddress.getByName("8.8.8.8"));
        assertThat(permissive.vettedAddresses("127.0.0.1")).containsExactly(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void onlyPorts80And443AndTheConfiguredOnesAreAllowed() {
        WebhookTargets strict = new WebhookTargets(properties(false, List.of()));
        WebhookTargets with8443 =
                new WebhookTargets(properties(Duration.ofSeconds(1), false, List.of(), 8, 2, 2048, List.of(8443)));

        assertThat(strict.check("http://8.8.8.8/hook").getHost()).isEqualTo("8.8.8.8");
        assertThat(strict.check("https://8.8.8.8:443/hook").getPort()).isEqualTo(443);
        assertThatThrownBy(() -> strict.check("https://8.8.8.8:8443/hook")).hasMessage(WebhookTargets.NOT_ALLOWED);
        assertThatThrownBy(() -> strict.check("http://8.8.8.8:22/")).hasMessage(WebhookTargets.NOT_ALLOWED);
        assertThat(with8443.check("https://8.8.8.8:8443/hook").getPort()).isEqualTo(8443);
    }

    @Test
    void deliveriesAreLimitedPerSchemeHostAndPort() {
        assertThat(WebhookTargets.receiver("https://Example.org/a?b")).isEqualTo("https://example.org:443");
        assertThat(WebhookTargets.receiver("http://example.org:8080/a")).isEqualTo("http://example.org:8080");
        assertThat(WebhookTargets.receiver("http://example.org/a")).isEqualTo("http://example.org:80");
        assertThat(WebhookTargets.receiver("not a url")).isEqualTo("not a url");
    }

    private static GatewayProperties properties(boolean allowPrivate, List<String> secrets) {
        return properties(Duration.ofSeconds(1), allowPrivate, secrets, 8, 2, 2048, List.of());
    }

    static GatewayProperties properties(Duration timeout, int maxConcurrent, int maxPerReceiver, int maxUrlLength) {
        return properties(timeout, false, List.of(), maxConcurrent, maxPerReceiver, maxUrlLength, List.of());
    }

    private static GatewayProperties properties(
            Duration timeout,
            boolean allowPrivate,
            List<String> secrets,
            int maxConcurrent,
            int maxPerReceiver,
            int maxUrlLength,
            List<Integer> extraPorts) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                "n2n.gateway.webhooks.timeout", timeout.toMillis() + "ms",
                "n2n.gateway.webhooks.allow-private-networks", allowPrivate,
                "n2n.gateway.webhooks.max-concurrent", maxConcurrent,
                "n2n.gateway.webhooks.max-per-receiver", maxPerReceiver,
                "n2n.gateway.webhooks.max-url-length", maxUrlLength));
        settings.putAll(GatewaySettings.list("n2n.gateway.webhooks.secrets", secrets));
        settings.putAll(GatewaySettings.list("n2n.gateway.webhooks.extra-ports", extraPorts));
        return GatewaySettings.bind(settings);
    }
}
