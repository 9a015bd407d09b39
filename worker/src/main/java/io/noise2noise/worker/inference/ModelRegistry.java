package io.noise2noise.worker.inference;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.databind.JsonNode;
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
 * Every model under {@code modelsDir}, loaded once at start-up through DJL, each with its own
 * predictor pool. A model runs on the engine configured for it ({@link InferenceProperties#engineFor}):
 * TensorFlow loads {@code saved_model/}, ONNX Runtime loads {@code model.onnx}. An ONNX file is used
 * only while it is current, i.e. its {@code model.onnx.json} names the digest of the SavedModel it was
 * exported from ({@link SavedModelDigest}); a model without one (or with a stale one, after the
 * SavedModel was re-exported) runs on TensorFlow, with a warning. A worker that cannot load its
 * default model refuses to start rather than fail every job.
 */
public class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    static final String ONNX_FILE = "model.onnx";
    static final String ONNX_CARD = "model.onnx.json";

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
                InferenceEngine engine = usableEngine(name, dir, properties.engineFor(name), mapper);
                ZooModel<NDList, NDList> model = engine == InferenceEngine.ONNXRUNTIME
                        ? loadOnnx(dir, properties)
                        : loadSavedModel(dir.resolve("saved_model"), properties);
                loaded.put(name, new DenoisingModel(card, engine, model, properties.predictors()));
                log.info("loaded model {} ({}, {}{}) on {}", name, card.architecture(), card.training(),
                        card.interim() ? ", interim" : "", engine.djlName());
            }
        } catch (IOException | RuntimeException e) {
            loaded.values().forEach(DenoisingModel::close);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot read models from " + properties.modelsDir().toAbsolutePath(), io);
            }
            throw (RuntimeException) e;
        }
        return loaded;
    }

    /**
     * {@code wanted}, unless that is ONNX Runtime and the model has no current {@code model.onnx};
     * then TensorFlow when the SavedModel is there.
     */
    static InferenceEngine usableEngine(String name, Path dir, InferenceEngine wanted, ObjectMapper mapper)
            throws IOException {
        boolean hasSavedModel = Files.isDirectory(dir.resolve("saved_model"));
        if (wanted == InferenceEngine.TENSORFLOW && hasSavedModel) {
            return wanted;
        }
        Path onnx = dir.resolve(ONNX_FILE);
        if (!Files.isRegularFile(onnx)) {
            if (!hasSavedModel) {
                throw new IOException("model " + name + " has neither saved_model/ nor " + ONNX_FILE);
            }
            log.warn("model {}: no {}, running it on TensorFlow (export one with n2n-models export-onnx)",
                    name, ONNX_FILE);
            return InferenceEngine.TENSORFLOW;
        }
        if (!hasSavedModel) {
            return InferenceEngine.ONNXRUNTIME;
        }
        String source = onnxSource(dir.resolve(ONNX_CARD), mapper);
        String current = SavedModelDigest.of(dir.resolve("saved_model"));
        if (!current.equals(source)) {
            log.warn("model {}: {} was exported from another SavedModel (digest {}, saved_model/ is {}), running it"
                    + " on TensorFlow; re-export it with n2n-models export-onnx", name, ONNX_FILE, source, current);
            return InferenceEngine.TENSORFLOW;
        }
        return InferenceEngine.ONNXRUNTIME;
    }

    private static String onnxSource(Path card, ObjectMapper mapper) throws IOException {
        if (!Files.isRegularFile(card)) {
            return "(no " + card.getFileName() + ")";
        }
        JsonNode source = mapper.readTree(card.toFile()).path("source_sha256");
        return source.isTextual() ? source.asText() : "(none)";
    }

    private static ZooModel<NDList, NDList> loadSavedModel(Path savedModel, InferenceProperties properties)
            throws IOException {
        ConfigProto threads = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(properties.engineThreads())
                .setInterOpParallelismThreads(properties.engineThreads() == 0 ? 0 : 1)
                .build();
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine(InferenceEngine.TENSORFLOW.djlName())
                .optModelPath(savedModel)
                .optOption("Tags", "serve")
                .optOption("SignatureDefKey", "serving_default")
                .optOption("ConfigProto", Base64.getEncoder().encodeToString(threads.toByteArray()))
                .build();
        return load(criteria, savedModel);
    }

    private static ZooModel<NDList, NDList> loadOnnx(Path dir, InferenceProperties properties) throws IOException {
        // DJL applies intraOpNumThreads only together with interOpNumThreads; 0 is ONNX Runtime's default
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine(InferenceEngine.ONNXRUNTIME.djlName())
                .optModelPath(dir)
                .optModelName("model") // model.onnx
                .optOption("interOpNumThreads", properties.engineThreads() == 0 ? "0" : "1")
                .optOption("intraOpNumThreads", Integer.toString(properties.engineThreads()))
                .optOption("optLevel", "ALL_OPT")
                .build();
        return load(criteria, dir.resolve(ONNX_FILE));
    }

    private static ZooModel<NDList, NDList> load(Criteria<NDList, NDList> criteria, Path path) throws IOException {
        try {
            return criteria.loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IOException("cannot load model " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        models.values().forEach(DenoisingModel::close);
    }
}
