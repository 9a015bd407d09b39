package io.noise2noise.worker.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** n2n.inference.* as Spring binds it from worker.yml, arguments or the environment. */
class InferencePropertiesTest {

    private static InferenceProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bind("n2n.inference", InferenceProperties.class)
                .get();
    }

    private static final Map<String, String> BASE = Map.of(
            "n2n.inference.models-dir", "models/zoo",
            "n2n.inference.default-model", "gaussian",
            "n2n.inference.predictors", "1",
            "n2n.inference.engine-threads", "0",
            "n2n.inference.tile-size", "512",
            "n2n.inference.tile-overlap", "32");

    @EnableConfigurationProperties(InferenceProperties.class)
    static class Config {}

    @Test
    void everySettingHasADefault() {
        InferenceProperties properties = new Binder().bindOrCreate("n2n.inference", InferenceProperties.class);

        assertThat(properties.modelsDir()).isEqualTo(Path.of("models/zoo"));
        assertThat(properties.defaultModel()).isEqualTo("auto");
        assertThat(properties.tileSize()).isEqualTo(1024);
        assertThat(properties.tileOverlap()).isEqualTo(32);
        assertThat(properties.engine()).isEqualTo(InferenceEngine.TENSORFLOW);
        assertThat(properties.modelEngines()).isEmpty();
        assertThat(properties.tileBatch()).isEqualTo(1);
    }

    @Test
    void anOverlapOfHalfATileOrMoreStopsStartUp() {
        ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(Config.class);

        context.run(started -> assertThat(started).hasNotFailed());
        context.withPropertyValues("n2n.inference.tile-size=128", "n2n.inference.tile-overlap=64")
                .run(started -> assertThat(started)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("below half the tile size"));
    }

    @Test
    void engineAndPerModelEnginesBindFromTheirConfigNames() {
        Map<String, String> values = new HashMap<>(BASE);
        values.put("n2n.inference.engine", "onnxruntime");
        values.put("n2n.inference.model-engines.gaussian", "tensorflow");
        values.put("n2n.inference.tile-batch", "4");

        InferenceProperties properties = bind(values);

        assertThat(properties.engineFor("gaussian")).isEqualTo(InferenceEngine.TENSORFLOW);
        assertThat(properties.engineFor("another")).isEqualTo(InferenceEngine.ONNXRUNTIME);
        assertThat(properties.tileBatch()).isEqualTo(4);
    }
}
