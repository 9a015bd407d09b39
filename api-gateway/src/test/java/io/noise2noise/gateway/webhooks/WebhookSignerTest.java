package io.noise2noise.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.GatewaySettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

    private static final String OLD = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String NEW = "whsec_c2Vjb25kLXNlY3JldC1rZXk=";
    private static final String OTHER = "whsec_b3RoZXItdGVuYW50LXNlY3JldA==";
    private static final String SHARED = "whsec_c2hhcmVkLWFub255bW91cy1zZWNyZXQ=";

    @Test
    void eachKeysJobsAreSignedWithThatKeysSecretsOnly() {
        WebhookSigner signer = new WebhookSigner(properties(List.of(
                new GatewayProperties.ApiKey("team-a", "00", 60, List.of(OLD, NEW)),
                new GatewayProperties.ApiKey("team-b", "11", 60, List.of(OTHER)),
                new GatewayProperties.ApiKey("team-c", "22", 60, List.of()))));
        WebhookSigner alone =
                new WebhookSigner(properties(List.of(new GatewayProperties.ApiKey("team-a", "00", 60, List.of(OLD)))));
        WebhookSigner renewed =
                new WebhookSigner(properties(List.of(new GatewayProperties.ApiKey("team-a", "00", 60, List.of(NEW)))));
        byte[] body = "{}".getBytes();

        String a = signer.signature("team-a", "msg_1", 1, body);
        String b = signer.signature("team-b", "msg_1", 1, body);

        assertThat(a.split(" "))
                .containsExactly(
                        alone.signature("team-a", "msg_1", 1, body), renewed.signature("team-a", "msg_1", 1, body));
        assertThat(a.split(" ")).doesNotContain(b);
        assertThat(signer.signature("team-c", "msg_1", 1, body)).isNull();
        // a job without an owner (created while keys were off) keeps the shared secrets
        assertThat(signer.signature(null, "msg_1", 1, body)).isNotNull().isNotIn(a, b);
    }

    private static GatewayProperties properties(List<GatewayProperties.ApiKey> keys) {
        Map<String, Object> settings =
                new HashMap<>(GatewaySettings.list("n2n.gateway.webhooks.secrets", List.of(SHARED)));
        for (int i = 0; i < keys.size(); i++) {
            GatewayProperties.ApiKey key = keys.get(i);
            String prefix = "n2n.gateway.api-keys[" + i + "].";
            settings.put(prefix + "id", key.id());
            settings.put(prefix + "sha256", key.sha256());
            settings.put(prefix + "requests-per-minute", key.requestsPerMinute());
            settings.putAll(GatewaySettings.list(prefix + "webhook-secrets", key.webhookSecrets()));
        }
        return GatewaySettings.bind(settings);
    }
}
