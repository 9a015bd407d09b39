package io.noise2noise.gateway.webhooks;

import io.noise2noise.gateway.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Standard Webhooks signatures: {@code v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}
 * for each configured secret, space-separated, where a secret is {@code whsec_} + the base64 key.
 */
@Component
public class WebhookSigner {

    private static final Logger log = LoggerFactory.getLogger(WebhookSigner.class);
    private static final String PREFIX = "whsec_";

    private final List<byte[]> keys = new ArrayList<>();

    public WebhookSigner(GatewayProperties properties) {
        for (String secret : properties.webhooks().secrets()) {
            String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
            try {
                keys.add(Base64.getDecoder().decode(encoded));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("n2n.gateway.webhooks.secrets: not a whsec_<base64> secret", e);
            }
        }
        if (keys.isEmpty()) {
            log.warn("no n2n.gateway.webhooks.secrets configured: webhooks are sent unsigned");
        }
    }

    /** The {@code webhook-signature} header value, or null when no secret is configured. */
    public String signature(String messageId, long timestamp, byte[] body) {
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
