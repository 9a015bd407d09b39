package io.noise2noise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class GatewayPropertiesTest {

    @EnableConfigurationProperties(GatewayProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Config.class)
            .withPropertyValues("n2n.gateway.legacy-wait=120s", "n2n.gateway.max-wait=60s",
                    "n2n.gateway.publish-timeout=10s", "n2n.gateway.max-cancel-after=24h",
                    "n2n.gateway.presigned-url-ttl=15m", "n2n.gateway.webhooks.timeout=10s",
                    "n2n.gateway.webhooks.attempts=6", "n2n.gateway.webhooks.first-retry-delay-ms=1000",
                    "n2n.gateway.webhooks.max-concurrent=32", "n2n.gateway.webhooks.max-per-receiver=4",
                    "n2n.gateway.webhooks.max-url-length=2048",
                    "n2n.gateway.backpressure.max-queued-jobs=1000", "n2n.gateway.backpressure.refresh-interval=2s",
                    "n2n.gateway.backpressure.retry-after=10s",
                    "n2n.gateway.waiters.max-total=2000", "n2n.gateway.waiters.max-per-client=200",
                    "n2n.gateway.waiters.store-check-interval=2s", "n2n.gateway.waiters.retry-after=5s",
                    "n2n.gateway.bodies.in-flight-budget=512MB", "n2n.gateway.bodies.retry-after=2s",
                    "n2n.gateway.quotas.max-open-uploads=100", "n2n.gateway.quotas.max-unfinished-jobs=100",
                    "n2n.gateway.quotas.retry-after=30s", "n2n.gateway.quotas.upload-sweep-interval=1m");

    @Test
    void maxRetryAfterIsReadAndBounded() {
        context.withPropertyValues("n2n.gateway.webhooks.max-retry-after=5m").run(started ->
                assertThat(started.getBean(GatewayProperties.class).webhooks().maxRetryAfter())
                        .isEqualTo(Duration.ofMinutes(5)));
        context.withPropertyValues("n2n.gateway.webhooks.max-retry-after=2h").run(started ->
                assertThat(started).hasFailed().getFailure().hasStackTraceContaining("maxRetryAfter"));
        context.withPropertyValues("n2n.gateway.webhooks.max-retry-after=-1s").run(started ->
                assertThat(started).hasFailed());
        context.run(started -> assertThat(started).hasFailed().getFailure()
                .hasStackTraceContaining("maxRetryAfter"));
    }
}
