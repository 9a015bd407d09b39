package io.noise2noise.worker.inference;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.image.PixelImage;
import io.noise2noise.job.CatalogueCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * SavedModel was re-exported) runs on TensorFlow, with a warning. A job naming {@value ModelChooser#AUTO}
 * (a reserved name, no zoo model's) gets the model a {@link ModelChooser} picks for its image, when this
 * worker has the models to choose from. A worker that cannot load its default model (or choose, when
 * that is {@value ModelChooser#AUTO}) refuses to start rather than fail every job.
 */
public class ModelRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    static final String ONNX_FILE = "model.onnx";
    static final String ONNX_CARD = "model.onnx.json";

    private final Map<String, DenoisingModel> models;
    private final Map<String, CatalogueCard> catalogueCards = new TreeMap<>();
    private final String defaultModel;
    /** Null when this worker cannot choose (it lacks {@value ModelChooser#FALLBACK}). */
    private final ModelChooser chooser;

    public ModelRegistry(InferenceProperties properties, ObjectMapper mapper) {
        this.models = Collections.unmodifiableMap(loadAll(properties, mapper, catalogueCards));
        this.defaultModel = properties.defaultModel();
        this.chooser = ModelChooser.canChoose(models.keySet()) ? new ModelChooser(models.keySet()) : null;
        if (models.containsKey(ModelChooser.AUTO)) {
            close();
            throw new IllegalStateException(
                    "a model in " + properties.modelsDir().toAbsolutePath() + " is named '" + ModelChooser.AUTO
                            + "', which asks the worker to choose; rename it");
        }
        boolean defaultRuns =
                defaultModel.equals(ModelChooser.AUTO) ? chooser != null : models.containsKey(defaultModel);
        if (!defaultRuns) {
            close();
            throw new IllegalStateException("default model '" + defaultModel + "' not found in "
                    + properties.modelsDir().toAbsolutePath() + "; found: " + models.keySet()
                    + (ModelChooser.AUTO.equals(defaultModel)
                            ? " (choosing needs '" + ModelChooser.FALLBACK + "')"
                            : ""));
        }
        if (chooser != null) {
            catalogueCards.put(ModelChooser.AUTO, chooser.catalogueCard());
        }
    }

    /**
     * A model to run, why the worker chose it (null when the job named it, or the default is concrete),
     * and the image's noise as measured (for every job: its σ is reported, whichever model runs).
     */
    public record Selection(DenoisingModel model, String reason, NoiseFeatures noise) {}

    /**
     * The model for a job naming {@code name} (the default when null or blank), chosen for
     * {@code image} when that is {@value ModelChooser#AUTO}.
     */
    public Selection select(String name, PixelImage image) {
        String wanted = name == null || name.isBlank() ? defaultModel : name;
        if (wanted.equals(ModelChooser.AUTO) && chooser != null) {
            NoiseFeatures noise = NoiseFeatures.of(image);
            ModelChooser.Choice choice = chooser.choose(noise);
            return new Selection(get(choice.model()), choice.reason(), noise);
        }
        DenoisingModel named = get(wanted); // an unknown name is refused before the image is measured
        return new Selection(named, null, NoiseFeatures.of(image));
    }

    /** The named (concrete) model. */
    public DenoisingModel get(String name) {
        DenoisingModel model = name == null ? null : models.get(name);
        if (model == null) {
            throw new UnknownModelException(name, names());
        }
        return model;
    }

    /** The names jobs may use: the loaded models, and {@value ModelChooser#AUTO} when this worker can choose. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>(models.keySet());
        if (chooser != null) {
            names.add(ModelChooser.AUTO);
        }
        return Collections.unmodifiableSet(names);
    }

    public String defaultModel() {
        return defaultModel;
    }

    /** Each loaded model's card as clients see it in the catalogue, by model name. */
    public Map<String, CatalogueCard> catalogueCards() {
        return Collections.unmodifiableMap(catalogueCards);
    }

    private static Map<String, DenoisingModel> loadAll(
            InferenceProperties properties, ObjectMapper mapper, Map<String, CatalogueCard> catalogueCards) {
        Map<String, DenoisingModel> loaded = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(properties.modelsDir())) {
            for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve("model.json")))
                    .sorted()
                    .toList()) {
                JsonNode cardJson = mapper.readTree(dir.resolve("model.json").toFile());
                ModelCard card = mapper.treeToValue(cardJson, ModelCard.class);
                String name = card.name() == null ? dir.getFileName().toString() : card.name();
                InferenceEngine engine = usableEngine(name, dir, properties.engineFor(name), mapper);
                Loaded model = engine == InferenceEngine.ONNXRUNTIME
                        ? loadOnnx(dir, properties)
                        : new Loaded(loadSavedModel(dir.resolve("saved_model"), properties), () -> {});
                loaded.put(
                        name,
                        new DenoisingModel(card, engine, model.model(), model.resources(), properties.predictors()));
                catalogueCards.put(name, mapper.treeToValue(cardJson, CatalogueCard.class));
                log.info(
                        "loaded model {} ({}, {}{}) on {}",
                        name,
                        card.architecture(),
                        card.training(),
                        card.interim() ? ", interim" : "",
                        engine.djlName());
            }
        } catch (IOException | RuntimeException e) {
            loaded.values().forEach(DenoisingModel::close);
            if (e instanceof IOException io) {
                throw new UncheckedIOException(
                        "cannot read models from " + properties.modelsDir().toAbsolutePath(), io);
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
            log.warn(
                    "model {}: no {}, running it on TensorFlow (export one with n2n-models export-onnx)",
                    name,
                    ONNX_FILE);
            return InferenceEngine.TENSORFLOW;
        }
        if (!hasSavedModel) {
            return InferenceEngine.ONNXRUNTIME;
        }
        String source = onnxSource(dir.resolve(ONNX_CARD), mapper);
        String current = SavedModelDigest.of(dir.resolve("saved_model"));
        if (!current.equals(source)) {
            log.warn(
                    "model {}: {} was exported from another SavedModel (digest {}, saved_model/ is {}), running it"
                            + " on TensorFlow; re-export it with n2n-models export-onnx",
                    name,
                    ONNX_FILE,
                    source,
                    current);
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

    /**
     * ONNX Runtime with our own session options, since DJL's string options cannot set config entries:
     * intra-op threads as configured, one inter-op thread, all graph optimisations, and no spinning
     * of idle intra-op threads ({@code session.intra_op.allow_spinning=0}): spinning workers burn the
     * cores that other jobs, the JVM and the host need (measurements: docs/performance.md, "ONNX Runtime
     * threads").
     */
    private static Loaded loadOnnx(Path dir, InferenceProperties properties) throws IOException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        Model model = Model.newInstance("model", InferenceEngine.ONNXRUNTIME.djlName());
        try {
            options.setIntraOpNumThreads(properties.engineThreads());
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            model.load(dir, "model", Map.of("sessionOptions", options)); // model.onnx
            return new Loaded(new ZooModel<>(model, new NoopTranslator()), options);
        } catch (OrtException | MalformedModelException | IOException | RuntimeException e) {
            model.close();
            options.close();
            throw new IOException("cannot load model " + dir.resolve(ONNX_FILE) + ": " + e.getMessage(), e);
        }
    }

    /** A loaded model and what must be closed after it. */
    private record Loaded(ZooModel<NDList, NDList> model, AutoCloseable resources) {}

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
