package io.noise2noise.worker.inference;

import io.noise2noise.image.PixelImage;
import io.noise2noise.job.CatalogueCard;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Chooses the model for a job that asks for {@value #AUTO}: from what the image's noise looks like
 * ({@link NoiseFeatures}), the kind of noise it has — impulses, a text overlay, camera noise (spatially
 * correlated), shot noise (growing with brightness) or additive Gaussian noise — and so the zoo model
 * trained for it. A kind whose model this worker has not loaded gets {@value #FALLBACK}, the blind
 * Gaussian model, which also takes images that look clean (it leaves them nearly untouched). The
 * thresholds were tuned on one half of a labelled mixed set and measured on the other
 * (benchmarks/auto, benchmarks/README.md).
 */
public class ModelChooser {

    /** The model name that asks the worker to choose. */
    public static final String AUTO = "auto";

    /** The model every choice falls back to; a worker can choose only when it has it. */
    public static final String FALLBACK = "gaussian";

    /** The kind of noise of an image that looks clean. */
    public static final String CLEAN = "clean";

    /** The models a choice can land on, in the order the rules try them. */
    public static final List<String> CANDIDATES = List.of("impulse", "text", "camera", "poisson", FALLBACK);

    /** More far outliers than this (a fraction of pixels), few of them in one colour, means impulse noise. */
    static final double IMPULSE_FAR_OUTLIERS = 0.02;

    static final double IMPULSE_MAX_REPEATS = 0.05;
    /** More outliers than this (a fraction of pixels), ... */
    static final double TEXT_OUTLIERS = 0.003;
    /** ... with more than this fraction sharing their exact colour with a neighbouring one, means text. */
    static final double TEXT_REPEATS = 0.06;
    /**
     * Below this noise sd at full resolution, and below {@link #CLEAN_AVERAGED_SIGMA} as 2×2 averaging leaves
     * it, an image looks clean. The second bound is low on purpose: weak camera noise (the real Nam et al.
     * captures: sd 0.6 at full resolution, 1.8 after averaging) hides at the finest scale, and the camera
     * model gains 2–6 dB there.
     */
    static final double CLEAN_SIGMA = 1.0;

    static final double CLEAN_AVERAGED_SIGMA = 1.0;
    /** Noise surviving 2×2 averaging this much more than independent noise is camera noise. */
    static final double CAMERA_AVERAGING = 1.8;
    /** Signal dependence above this is shot noise. */
    static final double SHOT_DEPENDENCE = 0.4;

    private final Set<String> loaded;

    /** {@code loaded}: the models this worker runs; {@value #FALLBACK} must be one. */
    public ModelChooser(Set<String> loaded) {
        if (!loaded.contains(FALLBACK)) {
            throw new IllegalArgumentException("choosing models needs the '" + FALLBACK + "' model; loaded: " + loaded);
        }
        this.loaded = Set.copyOf(loaded);
    }

    /** Whether a worker with these models can choose. */
    public static boolean canChoose(Set<String> loaded) {
        return loaded.contains(FALLBACK);
    }

    /** The candidates this worker has loaded. */
    public List<String> loadedCandidates() {
        return CANDIDATES.stream().filter(loaded::contains).toList();
    }

    /** What the catalogue tells clients of {@value #AUTO} on this worker. */
    public CatalogueCard catalogueCard() {
        List<String> candidates = loadedCandidates();
        List<String> missing =
                CANDIDATES.stream().filter(model -> !loaded.contains(model)).toList();
        String notes = "The worker chooses the model from the image's noise (its level per channel, how it survives"
                + " 2x2 averaging, how it grows with brightness, outlier pixels and their colours) and records the"
                + " choice in model_used and why in model_reason. Chooses among: " + String.join(", ", candidates)
                + (missing.isEmpty()
                        ? "."
                        : "; images suited to " + String.join(", ", missing) + " (not loaded here) get " + FALLBACK
                                + ".");
        return new CatalogueCard("auto", 3, "auto", null, null, null, null, null, false, null, notes, candidates);
    }

    /**
     * The chosen model and why.
     *
     * @param model     the concrete model to run
     * @param noise     the kind of noise the image seems to have: a candidate's name, or {@code clean}
     * @param reason    short, for the client, with the numbers the choice rests on
     * @param features  the measurement
     */
    public record Choice(String model, String noise, String reason, NoiseFeatures features) {}

    public Choice choose(PixelImage image) {
        return choose(NoiseFeatures.of(image));
    }

    public Choice choose(NoiseFeatures features) {
        Suited suited = suited(features);
        String measured = measured(features);
        if (loaded.contains(suited.model())) {
            return new Choice(
                    suited.model(),
                    suited.noise(),
                    "auto: " + suited.model() + " — " + suited.why() + "; " + measured,
                    features);
        }
        return new Choice(
                FALLBACK,
                suited.noise(),
                "auto: " + FALLBACK + " — " + suited.why() + ", suited to '" + suited.model()
                        + "', which this worker has not loaded; " + measured,
                features);
    }

    /** The model suited to the noise, loaded or not, and why in a few words. */
    static Suited suited(NoiseFeatures f) {
        if (f.farOutliers() > IMPULSE_FAR_OUTLIERS && f.outlierRepeats() < IMPULSE_MAX_REPEATS) {
            return new Suited("impulse", "pixels of random colours far from their neighbours (impulse noise)");
        }
        if (f.outliers() > TEXT_OUTLIERS && f.outlierRepeats() > TEXT_REPEATS) {
            return new Suited("text", "outliers in runs of one colour (text overlay)");
        }
        if (f.meanSigma() < CLEAN_SIGMA && f.meanSigma() * f.averagingRatio() < CLEAN_AVERAGED_SIGMA) {
            return new Suited(FALLBACK, CLEAN, "looks clean: the blind Gaussian model leaves it nearly untouched");
        }
        if (f.averagingRatio() > CAMERA_AVERAGING) {
            return new Suited("camera", "noise correlated between neighbouring pixels (camera noise)");
        }
        if (f.signalDependence() > SHOT_DEPENDENCE) {
            return new Suited("poisson", "noise growing with brightness (shot noise)");
        }
        return new Suited(FALLBACK, "independent noise of even strength (Gaussian)");
    }

    /** {@code noise}: the kind of noise, the model's name except for {@code clean}. */
    record Suited(String model, String noise, String why) {
        Suited(String model, String why) {
            this(model, model, why);
        }
    }

    private static String measured(NoiseFeatures f) {
        double[] sigma = f.sigma();
        String perChannel = sigma.length == 3
                ? String.format(Locale.ROOT, " (R %.1f G %.1f B %.1f)", sigma[0], sigma[1], sigma[2])
                : "";
        return String.format(
                Locale.ROOT,
                "noise sd %.1f%s, 2×2-averaging ratio %.2f (1 for independent noise), signal dependence %.2f,"
                        + " outliers %.2f %% (%.2f %% far)",
                f.meanSigma(),
                perChannel,
                f.averagingRatio(),
                f.signalDependence(),
                100 * f.outliers(),
                100 * f.farOutliers());
    }
}
