package io.noise2noise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;

class GatewayPropertiesTest {

    @EnableConfigurationProperties(GatewayProperties.class)
    static class Config {}

    private final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void everySettingHasADefaultThatPassesValidation() {
        context.run(started -> {
            GatewayProperties properties = started.getBean(GatewayProperties.class);
            assertThat(properties.legacyWait()).isEqualTo(Duration.ofSeconds(120));
            assertThat(properties.webhooks().maxRetryAfter()).isEqualTo(Duration.ofMinutes(5));
            assertThat(properties.webhooks().secrets()).isEmpty();
            assertThat(properties.webhooks().extraPorts()).isEmpty();
            assertThat(properties.backpressure().maxQueuedJobs()).isEqualTo(1000);
            assertThat(properties.waiters().maxPerClient()).isEqualTo(200);
            assertThat(properties.bodies().inFlightBudget()).isEqualTo(DataSize.ofMegabytes(512));
            assertThat(properties.quotas().maxUnfinishedJobs()).isEqualTo(200);
            assertThat(properties.apiKeys()).isEmpty();
        });
    }

    @Test
    void anApiKeyWithoutWebhookSecretsHasNone() {
        context.withPropertyValues(
                        "n2n.gateway.api-keys[0].id=team-a",
                        "n2n.gateway.api-keys[0].sha256=ab",
                        "n2n.gateway.api-keys[0].requests-per-minute=60")
                .run(started -> assertThat(started.getBean(GatewayProperties.class)
                                .apiKeys()
                                .get(0)
                                .webhookSecrets())
                        .isEmpty());
    }

    @Test
    void maxRetryAfterIsReadAndBounded() {
        context.withPropertyValues("n2n.gateway.webhooks.max-retry-after=2m")
                .run(started -> assertThat(started.getBean(GatewayProperties.class)
                                .webhooks()
                                .maxRetryAfter())
                        .isEqualTo(Duration.ofMinutes(2)));
        context.withPropertyValues("n2n.gateway.webhooks.max-retry-after=2h")
                .run(started -> assertThat(started).hasFailed().getFailure().hasStackTraceContaining("maxRetryAfter"));
        context.withPropertyValues("n2n.gateway.webhooks.max-retry-after=-1s")
                .run(started -> assertThat(started).hasFailed());
    }
}
