package io.noise2noise.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;

class ImageLimitsTest {

    private final ApplicationContextRunner context =
            new ApplicationContextRunner().withUserConfiguration(ImageConfiguration.class);

    @Test
    void uploadsMayBeBiggerThanBodiesByDefault() {
        context.run(started -> {
            ImageLimits limits = started.getBean(ImageLimits.class);
            assertThat(limits.maxBytes()).isEqualTo(DataSize.ofMegabytes(64));
            assertThat(limits.maxUploadBytes()).isEqualTo(DataSize.ofMegabytes(512));
        });
        context.withPropertyValues("n2n.images.max-bytes=1MB", "n2n.images.max-upload-bytes=3MB")
                .run(started -> assertThat(started.getBean(ImageLimits.class).maxUploadBytes())
                        .isEqualTo(DataSize.ofMegabytes(3)));
    }

    @Test
    void anUploadLimitBelowTheBodyLimitStopsStartUp() {
        context.withPropertyValues("n2n.images.max-bytes=64MB", "n2n.images.max-upload-bytes=32MB")
                .run(started ->
                        assertThat(started).hasFailed().getFailure().hasStackTraceContaining("max-upload-bytes"));
        context.withPropertyValues("n2n.images.max-bytes=0B")
                .run(started -> assertThat(started).hasFailed());
    }
}
