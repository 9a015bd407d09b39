package io.noise2noise.job;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Object keys of the model catalogue: each worker writes one entry per model it can run, at
 * {@code catalogue/<model>/<workerId>.json} ({@link CatalogueEntry}), so a listing of {@link #PREFIX}
 * tells which models exist and who runs them, and no worker overwrites another's entry.
 */
public final class CatalogueKeys {

    public static final String PREFIX = "catalogue/";

    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String SUFFIX = ".json";

    private CatalogueKeys() {}

    /** What a model may be called: one path segment, as a job names it. */
    public static boolean isModelName(String name) {
        return name != null && MODEL_NAME.matcher(name).matches();
    }

    public static boolean isWorkerId(String id) {
        return id != null && WORKER_ID.matcher(id).matches();
    }

    public static String entry(String model, String workerId) {
        if (!isModelName(model)) {
            throw new IllegalArgumentException("not a model name: " + model);
        }
        if (!isWorkerId(workerId)) {
            throw new IllegalArgumentException("not a worker id: " + workerId);
        }
        return PREFIX + model + "/" + workerId + SUFFIX;
    }

    /** The model an entry's key is of; empty for any other key under {@link #PREFIX}. */
    public static Optional<String> modelOf(String key) {
        if (!key.startsWith(PREFIX) || !key.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        String[] segments =
                key.substring(PREFIX.length(), key.length() - SUFFIX.length()).split("/", -1);
        return segments.length == 2 && isModelName(segments[0]) && isWorkerId(segments[1])
                ? Optional.of(segments[0])
                : Optional.empty();
    }
}
