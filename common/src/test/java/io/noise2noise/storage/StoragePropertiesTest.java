package io.noise2noise.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class StoragePropertiesTest {

    @EnableConfigurationProperties(StorageProperties.class)
    static class Config {}

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Config.class)
            .withPropertyValues(
                    "n2n.storage.endpoint=http://127.0.0.1:9000",
                    "n2n.storage.access-key=ak",
                    "n2n.storage.secret-key=sk",
                    "n2n.storage.bucket=n2n");

    @Test
    void retentionIsReadAndMayNotBeNegative() {
        context.withPropertyValues("n2n.storage.retention-days=7").run(started -> {
            StorageProperties properties = started.getBean(StorageProperties.class);
            assertThat(properties.retention()).isEqualTo(Duration.ofDays(7));
            assertThat(properties.publicEndpoint()).isEqualTo(properties.endpoint());
        });
        context.run(
                started -> assertThat(started.getBean(StorageProperties.class).retentionDays())
                        .isEqualTo(7));
        context.withPropertyValues("n2n.storage.retention-days=-1")
                .run(started -> assertThat(started).hasFailed().getFailure().hasStackTraceContaining("retentionDays"));
    }
}
