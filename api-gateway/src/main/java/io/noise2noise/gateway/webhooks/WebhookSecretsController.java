package io.noise2noise.gateway.webhooks;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.access.ApiKeyFilter;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Lets an API key read the secrets its jobs' webhooks are signed with, and nobody else's. With keys
 * off there is no caller to tell apart, so the shared secrets are not served: they are configured.
 */
@RestController
public class WebhookSecretsController {

    private final GatewayProperties properties;

    public WebhookSecretsController(GatewayProperties properties) {
        this.properties = properties;
    }

    /** Every current secret: while rotating, the old and the new one; a receiver accepts either. */
    public record WebhookSecrets(@JsonProperty("secrets") List<String> secrets) {}

    @GetMapping("/v1/webhook-secrets")
    public WebhookSecrets secrets(@RequestAttribute(name = ApiKeyFilter.OWNER, required = false) String owner) {
        return properties.apiKeys().stream()
                .filter(key -> key.id().equals(owner))
                .findFirst()
                .map(key -> new WebhookSecrets(key.webhookSecrets()))
                .orElseThrow(() -> new ResponseStatusException(
                        HttpStatus.NOT_FOUND,
                        "webhook secrets are served per API key; with API keys off they are configured"));
    }
}
