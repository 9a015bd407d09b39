package io.noise2noise.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.image.PixelImage;
import io.noise2noise.worker.inference.ModelChooser;
import io.noise2noise.worker.inference.NoiseFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * How well the worker's {@link ModelChooser} names the noise of a labelled mixed set (written by
 * benchmarks/auto/make_set.py), with every candidate model counted as loaded: a confusion matrix and
 * per-class accuracy for each split (thresholds were tuned on {@code tune}; {@code test} is held out),
 * what each photo of a folder of real photos (RNI15) gets, and the time the measurement takes.
 *
 * <pre>
 * AutoChoiceBench --set DIR [--photos DIR] --out benchmarks/results/auto-choice.json
 * </pre>
 */
public final class AutoChoiceBench {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The labels, and the kinds of noise the chooser names (a clean-looking image gets the Gaussian model). */
    private static final List<String> CLASSES = List.of("gaussian", "camera", "poisson", "impulse", "text", "clean");

    private AutoChoiceBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path set = Path.of(o.get("set"));
        ImageCodec codec = new ImageCodec(ImageLimits.defaults());
        ModelChooser chooser = new ModelChooser(new HashSet<>(ModelChooser.CANDIDATES));
        ObjectNode result = JSON.createObjectNode();
        ArrayNode images = result.putArray("images");
        Map<String, int[][]> confusion = new LinkedHashMap<>();
        List<Double> millis = new ArrayList<>();
        for (JsonNode label : JSON.readTree(set.resolve("labels.json").toFile())) {
            PixelImage image = codec.decode(Files.readAllBytes(set.resolve(label.get("file").asText())));
            long started = System.nanoTime();
            ModelChooser.Choice choice = chooser.choose(image);
            millis.add((System.nanoTime() - started) / 1e6);
            String split = label.get("split").asText();
            String truth = label.get("label").asText();
            confusion.computeIfAbsent(split, s -> new int[CLASSES.size()][CLASSES.size()])[CLASSES.indexOf(truth)][
                    CLASSES.indexOf(choice.noise())]++;
            ObjectNode row = images.addObject();
            row.put("file", label.get("file").asText());
            row.put("split", split);
            row.put("label", truth);
            row.put("chosen", choice.noise());
            features(row, choice.features());
        }
        ObjectNode splits = result.putObject("splits");
        for (Map.Entry<String, int[][]> split : confusion.entrySet()) {
            System.out.println("\n== " + split.getKey() + " (rows: label, columns: the noise the chooser named)");
            splits.set(split.getKey(), report(split.getValue()));
        }
        if (o.containsKey("photos")) {
            System.out.println("\n== photos in " + o.get("photos"));
            ArrayNode photos = result.putArray("photos");
            try (Stream<Path> files = Files.list(Path.of(o.get("photos")))) {
                for (Path photo : files.sorted().toList()) {
                    ModelChooser.Choice choice = chooser.choose(codec.decode(Files.readAllBytes(photo)));
                    System.out.println(photo.getFileName() + ": " + choice.reason());
                    ObjectNode row = photos.addObject();
                    row.put("file", photo.getFileName().toString());
                    row.put("chosen", choice.model());
                    row.put("noise", choice.noise());
                    row.put("reason", choice.reason());
                    features(row, choice.features());
                }
            }
        }
        result.set("timing", timing(millis));
        Path out = Path.of(o.getOrDefault("out", "benchmarks/results/auto-choice.json"));
        JSON.writeValue(out.toFile(), result);
        System.out.println("\nwrote " + out);
    }

    private static void features(ObjectNode row, NoiseFeatures f) {
        ArrayNode sigma = row.putArray("sigma");
        Arrays.stream(f.sigma()).forEach(s -> sigma.add(Math.round(s * 100) / 100.0));
        row.put("signal_dependence", f.signalDependence());
        row.put("outliers", f.outliers());
        row.put("outlier_repeats", f.outlierRepeats());
        row.put("far_outliers", f.farOutliers());
        row.put("averaging_ratio", f.averagingRatio());
    }

    private static ObjectNode report(int[][] matrix) {
        ObjectNode node = JSON.createObjectNode();
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-10s", ""));
        CLASSES.forEach(c -> header.append(String.format(Locale.ROOT, "%9s", c)));
        System.out.println(header + "   accuracy");
        int right = 0;
        int total = 0;
        ObjectNode perClass = node.putObject("accuracy");
        ObjectNode rows = node.putObject("confusion");
        for (int t = 0; t < CLASSES.size(); t++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s", CLASSES.get(t)));
            int n = Arrays.stream(matrix[t]).sum();
            ArrayNode row = rows.putArray(CLASSES.get(t));
            for (int c = 0; c < CLASSES.size(); c++) {
                line.append(String.format(Locale.ROOT, "%9d", matrix[t][c]));
                row.add(matrix[t][c]);
            }
            double accuracy = n == 0 ? Double.NaN : (double) matrix[t][t] / n;
            System.out.println(line + String.format(Locale.ROOT, "   %5.1f %% of %d", 100 * accuracy, n));
            perClass.put(CLASSES.get(t), accuracy);
            right += matrix[t][t];
            total += n;
        }
        System.out.printf(Locale.ROOT, "overall %.1f %% of %d%n", 100.0 * right / total, total);
        node.put("overall", (double) right / total);
        node.put("images", total);
        return node;
    }

    /** Per-image times over the set, and on a synthetic 40 MP image (the sample bounds the cost). */
    private static ObjectNode timing(List<Double> millis) {
        ObjectNode node = JSON.createObjectNode();
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        node.put("set_median_ms", sorted[sorted.length / 2]);
        node.put("set_max_ms", sorted[sorted.length - 1]);
        int width = 7744;
        int height = 5184;
        float[] rgb = new float[width * height * 3];
        Random random = new Random(1);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (float) Math.min(1, Math.max(0, 0.5 + random.nextGaussian() * 0.05));
        }
        PixelImage big = PixelImage.fromFloats(width, height, rgb, null, false);
        rgb = null;
        double[] runs = new double[7];
        for (int i = 0; i < runs.length; i++) {
            long started = System.nanoTime();
            NoiseFeatures.of(big);
            runs[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(runs);
        node.put("mp40_median_ms", runs[runs.length / 2]);
        node.put("mp40_runs", runs.length);
        System.out.printf(
                Locale.ROOT,
                "measurement: median %.1f ms, max %.1f ms per set image; %.1f ms median on %dx%d%n",
                sorted[sorted.length / 2],
                sorted[sorted.length - 1],
                runs[runs.length / 2],
                width,
                height);
        return node;
    }
}
