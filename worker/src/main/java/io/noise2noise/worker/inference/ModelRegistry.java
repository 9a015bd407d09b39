package io.noise2noise.worker.inference;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;

/**
 * Every model under {@code modelsDir}, loaded once at start-up through DJL's TensorFlow engine.
 * A worker that cannot load its default model refuses to start rather than fail every job.
 */
public class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final Map<String, DenoisingModel> models;
    private final String defaultModel;

    public ModelRegistry(InferenceProperties properties, ObjectMapper mapper) {
        this.models = Collections.unmodifiableMap(loadAll(properties, mapper));
        this.defaultModel = properties.defaultModel();
        if (!models.containsKey(defaultModel)) {
            close();
            throw new IllegalStateException("default model '" + defaultModel + "' not found in "
                    + properties.modelsDir().toAbsolutePath() + "; found: " + models.keySet());
        }
    }

    /** The named model, or the default one when {@code name} is null or blank. */
    public DenoisingModel get(String name) {
        String wanted = name == null || name.isBlank() ? defaultModel : name;
        DenoisingModel model = models.get(wanted);
        if (model == null) {
            throw new UnknownModelException(wanted, names());
        }
        return model;
    }

    public Set<String> names() {
        return models.keySet();
    }

    public String defaultModel() {
        return defaultModel;
    }

    private static Map<String, DenoisingModel> loadAll(InferenceProperties properties, ObjectMapper mapper) {
        Map<String, DenoisingModel> loaded = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(properties.modelsDir())) {
            for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve("model.json"))).sorted().toList()) {
                ModelCard card = mapper.readValue(dir.resolve("model.json").toFile(), ModelCard.class);
                String name = card.name() == null ? dir.getFileName().toString() : card.name();
                loaded.put(name, new DenoisingModel(card, load(dir.resolve("saved_model"), properties),
                        properties.predictors()));
                log.info("loaded model {} ({}, {}{})", name, card.architecture(), card.training(),
                        card.interim() ? ", interim" : "");
            }
        } catch (IOException e) {
            loaded.values().forEach(DenoisingModel::close);
            throw new UncheckedIOException("cannot read models from " + properties.modelsDir().toAbsolutePath(), e);
        }
        return loaded;
    }

    private static ZooModel<NDList, NDList> load(Path savedModel, InferenceProperties properties) throws IOException {
        ConfigProto threads = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(properties.engineThreads())
                .setInterOpParallelismThreads(properties.engineThreads() == 0 ? 0 : 1)
                .build();
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine("TensorFlow")
                .optModelPath(savedModel)
                .optOption("Tags", "serve")
                .optOption("SignatureDefKey", "serving_default")
                .optOption("ConfigProto", Base64.getEncoder().encodeToString(threads.toByteArray()))
                .build();
        try {
            return criteria.loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IOException("cannot load SavedModel " + savedModel + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        models.values().forEach(DenoisingModel::close);
    }
}
