package io.noise2noise.gateway.webhooks;

import io.noise2noise.gateway.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}
 * for each secret of the job's owner, space-separated, where a secret is {@code whsec_} + the base64
 * key. Each API key has its own secrets, so one tenant's secret never verifies another's webhooks;
 * jobs without an owner (created while keys were off) use {@code n2n.gateway.webhooks.secrets}.
 */
@Component
public class WebhookSigner {

    private static final Logger log = LoggerFactory.getLogger(WebhookSigner.class);
    private static final String PREFIX = "whsec_";

    private final List<byte[]> anonymousKeys;
    private final Map<String, List<byte[]>> keysByOwner = new HashMap<>();

    public WebhookSigner(GatewayProperties properties) {
        anonymousKeys = decode(properties.webhooks().secrets(), "n2n.gateway.webhooks.secrets");
        for (int i = 0; i < properties.apiKeys().size(); i++) {
            GatewayProperties.ApiKey key = properties.apiKeys().get(i);
            keysByOwner.put(key.id(), decode(key.webhookSecrets(), "n2n.gateway.api-keys[" + i + "].webhook-secrets"));
            if (key.webhookSecrets().isEmpty()) {
                log.warn("API key {} has no webhook-secrets: its webhooks are sent unsigned", key.id());
            }
        }
        if (properties.apiKeys().isEmpty() && anonymousKeys.isEmpty()) {
            log.warn("no n2n.gateway.webhooks.secrets configured: webhooks are sent unsigned");
        }
    }

    private static List<byte[]> decode(List<String> secrets, String property) {
        List<byte[]> keys = new ArrayList<>();
        for (String secret : secrets) {
            String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
            try {
                keys.add(Base64.getDecoder().decode(encoded));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(property + ": not a whsec_<base64> secret", e);
            }
        }
        return keys;
    }

    /**
     * The {@code webhook-signature} header value for a job of {@code owner} (null: no owner), or
     * null when there is no secret to sign with.
     */
    public String signature(String owner, String messageId, long timestamp, byte[] body) {
        List<byte[]> keys = owner == null ? anonymousKeys : keysByOwner.getOrDefault(owner, List.of());
        if (keys.isEmpty()) {
            return null;
        }
        byte[] prefix = (messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        List<String> signatures = new ArrayList<>();
        for (byte[] key : keys) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.update(prefix);
                signatures.add("v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }
        return String.join(" ", signatures);
    }
}
