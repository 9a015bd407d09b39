package io.noise2noise.worker.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code auto} needs of the loaded models, with the zoo's small {@code text} model on ONNX Runtime. */
class ModelRegistryTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path ZOO = Path.of(System.getProperty("n2n.repo-root", ".."), "models", "zoo");

    private static InferenceProperties properties(Path zoo, String defaultModel) {
        return new InferenceProperties(zoo, defaultModel, 1, 1, 256, 16, InferenceEngine.ONNXRUNTIME, Map.of(), 1);
    }

    @Test
    void aWorkerWithoutTheGaussianModelCannotChooseSoAutoIsNoDefaultAndNoName(@TempDir Path zoo) throws IOException {
        Files.createSymbolicLink(zoo.resolve("text"), ZOO.resolve("text").toAbsolutePath());

        assertThatThrownBy(() -> new ModelRegistry(properties(zoo, ModelChooser.AUTO), MAPPER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("default model 'auto'")
                .hasMessageContaining("choosing needs 'gaussian'");
        try (ModelRegistry registry = new ModelRegistry(properties(zoo, "text"), MAPPER)) {
            assertThat(registry.names()).containsExactly("text");
            assertThat(registry.catalogueCards()).doesNotContainKey(ModelChooser.AUTO);
            assertThatThrownBy(() -> registry.select(ModelChooser.AUTO, null))
                    .isInstanceOf(UnknownModelException.class)
                    .hasMessageContaining("unknown model 'auto'");
        }
    }

    @Test
    void aZooModelNamedAutoIsRefused(@TempDir Path zoo) throws IOException {
        Path copy = Files.createDirectory(zoo.resolve("auto"));
        try (Stream<Path> files = Files.list(ZOO.resolve("text"))) {
            for (Path file : files.toList()) {
                Files.createSymbolicLink(copy.resolve(file.getFileName()), file.toAbsolutePath());
            }
        }
        Files.delete(copy.resolve("model.json"));
        ObjectNode card =
                (ObjectNode) MAPPER.readTree(ZOO.resolve("text/model.json").toFile());
        MAPPER.writeValue(copy.resolve("model.json").toFile(), card.put("name", "auto"));

        assertThatThrownBy(() -> new ModelRegistry(properties(zoo, "auto"), MAPPER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is named 'auto', which asks the worker to choose");
    }
}
