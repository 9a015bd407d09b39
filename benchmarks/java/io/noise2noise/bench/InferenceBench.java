package io.noise2noise.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.EncodedImage;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.image.OutputOptions;
import io.noise2noise.image.PixelImage;
import io.noise2noise.worker.inference.Denoiser;
import io.noise2noise.worker.inference.DenoisingModel;
import io.noise2noise.worker.inference.NoiseFeatures;
import io.noise2noise.worker.inference.InferenceEngine;
import io.noise2noise.worker.inference.InferenceProperties;
import io.noise2noise.worker.inference.ModelRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The worker's inference path (ModelRegistry → Denoiser, the real DJL engines) timed on large images,
 * next to the same model from Python (TensorFlow) and OpenCV's non-local means, in one run.
 *
 * <pre>
 * InferenceBench run   --inputs DIR --sizes 0.4,4,12,40 --engines tensorflow,onnxruntime --threads 2 \
 *                      --python benchmarks/.venv/bin/python --out benchmarks/results/cpu.json
 * InferenceBench child --engine tensorflow --image X.png --runs 5 --warmup 1 --threads 2 [--batch 1]
 * </pre>
 *
 * {@code run} starts every measurement in its own process (a JVM per engine and size, a Python per
 * method and size), so each process's peak RSS belongs to that measurement alone. A child prints one
 * line {@code RESULT {json}}.
 */
public final class InferenceBench {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The worker's defaults (worker.yml n2n.inference.tile-size / tile-overlap); a model's card may raise both. */
    private static final int TILE = 1024;
    private static final int OVERLAP = 32;

    private InferenceBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        switch (args.length == 0 ? "" : args[0]) {
            case "child" -> child(options);
            case "run" -> run(options);
            case "ab" -> ab(options);
            case "worker" -> worker(options);
            default -> {
                System.err.println("usage: InferenceBench run|child --option value ... (see the class comment)");
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------- one measurement, in this JVM

    private static void child(Map<String, String> o) throws IOException {
        Path image = Path.of(o.get("image"));
        InferenceEngine engine = InferenceEngine.valueOf(o.getOrDefault("engine", "tensorflow").toUpperCase(Locale.ROOT));
        int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
        int tile = Integer.parseInt(o.getOrDefault("tile", String.valueOf(TILE)));
        int overlap = Integer.parseInt(o.getOrDefault("overlap", String.valueOf(OVERLAP)));
        int batch = Integer.parseInt(o.getOrDefault("batch", "1"));
        int runs = Integer.parseInt(o.getOrDefault("runs", "5"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "1"));
        String modelName = o.getOrDefault("model", "gaussian");
        boolean inPlace = Boolean.parseBoolean(o.getOrDefault("in-place", "false"));
        InferenceProperties properties = new InferenceProperties(Path.of(o.getOrDefault("models-dir", "models/zoo")),
                modelName, 1, threads, tile, overlap, engine, Map.of(), batch);

        ImageCodec codec = new ImageCodec(ImageLimits.of(Map.of("max-bytes", "1GB", "max-upload-bytes", "1GB", "max-pixels", "60000000")));
        PixelImage pixels = codec.decode(Files.readAllBytes(image));
        try (ModelRegistry registry = new ModelRegistry(properties, new ObjectMapper())) {
            DenoisingModel model = registry.get(modelName);
            if (model.engine() != engine) {
                throw new IllegalStateException("model " + modelName + " runs on " + model.engine() + ", not " + engine);
            }
            Denoiser denoiser = new Denoiser(tile, overlap, batch);
            System.gc();
            long rssBefore = status("VmRSS");
            resetPeaks();
            // warm-up on a crop: the same tile shapes as the whole image, a fraction of the time
            PixelImage warm = crop(pixels, 1024, 1024);
            for (int i = 0; i < warmup; i++) {
                denoiser.denoise(warm, model, 1.0);
            }
            double[] seconds = new double[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                // in place, later runs denoise the last run's output: the same work for a CNN
                PixelImage out = inPlace ? denoiser.denoiseInPlace(pixels, model, 1.0, Denoiser.TileListener.NONE)
                        : denoiser.denoise(pixels, model, 1.0);
                seconds[i] = (System.nanoTime() - start) / 1e9;
                if (out.width() != pixels.width() || out.height() != pixels.height()) {
                    throw new IllegalStateException("wrong output size");
                }
            }
            double mp = (double) pixels.width() * pixels.height() / 1e6;
            ObjectNode result = JSON.createObjectNode();
            result.put("method", "java-" + engine.wireName() + (inPlace ? "-inplace" : ""));
            result.put("model", modelName);
            result.put("image", image.getFileName().toString());
            result.put("width", pixels.width());
            result.put("height", pixels.height());
            result.put("megapixels", mp);
            result.put("runs", runs);
            result.put("warmup", warmup);
            ArrayNode times = result.putArray("seconds");
            Arrays.stream(seconds).forEach(times::add);
            double median = median(seconds);
            result.put("median_s", median);
            result.put("mp_per_s", mp / median);
            result.put("peak_rss_mb", status("VmHWM") / 1024.0);
            result.put("rss_before_mb", rssBefore / 1024.0);
            result.put("peak_heap_mb", peakHeap() / 1048576.0);
            result.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576.0);
            result.put("threads", threads);
            result.put("tile", tile);
            result.put("batch", batch);
            result.put("tiles", denoiser.tileCount(pixels, model));
            System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
        }
    }

    /**
     * The worker's whole path on one file, as {@code JobProcessor} runs it: read the bytes, decode,
     * estimate the noise, denoise in place, encode in the input's format. Peak RSS is the process's
     * own since start (JVM, engine, model, image and all), so it is what a worker with this -Xmx
     * needs; the warm-up runs on a synthetic 1024x1024 image so the file is decoded only once.
     */
    private static void worker(Map<String, String> o) throws IOException {
        Path image = Path.of(o.get("image"));
        InferenceEngine engine = InferenceEngine.valueOf(o.getOrDefault("engine", "tensorflow").toUpperCase(Locale.ROOT));
        int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
        String modelName = o.getOrDefault("model", "gaussian");
        int tile = Integer.parseInt(o.getOrDefault("tile", String.valueOf(TILE)));
        InferenceProperties properties = new InferenceProperties(Path.of(o.getOrDefault("models-dir", "models/zoo")),
                modelName, 1, threads, tile, OVERLAP, engine, Map.of(), 1);
        ImageCodec codec = new ImageCodec(ImageLimits.of(Map.of("max-bytes", "1GB", "max-upload-bytes", "1GB", "max-pixels", "60000000")));
        try (ModelRegistry registry = new ModelRegistry(properties, new ObjectMapper())) {
            DenoisingModel model = registry.get(modelName);
            Denoiser denoiser = new Denoiser(tile, OVERLAP, 1);
            denoiser.denoise(synthetic(1024, 1024), model, 1.0);
            long rssBefore = status("VmRSS");
            long t0 = System.nanoTime();
            byte[] file = Files.readAllBytes(image);
            PixelImage pixels = codec.decode(file);
            file = null;
            long t1 = System.nanoTime();
            double sigma = NoiseFeatures.of(pixels).meanSigma();
            denoiser.denoiseInPlace(pixels, model, 1.0, Denoiser.TileListener.NONE);
            long t2 = System.nanoTime();
            EncodedImage encoded = codec.encode(pixels, OutputOptions.sameFormat());
            long t3 = System.nanoTime();
            double mp = (double) pixels.width() * pixels.height() / 1e6;
            ObjectNode result = JSON.createObjectNode();
            result.put("method", "java-" + engine.wireName() + "-worker-path");
            result.put("tile", tile);
            result.put("model", modelName);
            result.put("image", image.getFileName().toString());
            result.put("width", pixels.width());
            result.put("height", pixels.height());
            result.put("megapixels", mp);
            result.put("runs", 1);
            result.put("decode_s", (t1 - t0) / 1e9);
            result.put("denoise_s", (t2 - t1) / 1e9);
            result.put("encode_s", (t3 - t2) / 1e9);
            result.put("median_s", (t2 - t1) / 1e9);
            result.put("mp_per_s", mp / ((t2 - t1) / 1e9));
            result.put("output_bytes", encoded.size());
            result.put("noise_sigma", sigma);
            result.put("peak_rss_mb", status("VmHWM") / 1024.0);
            result.put("rss_before_mb", rssBefore / 1024.0);
            result.put("peak_heap_mb", peakHeap() / 1048576.0);
            result.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576.0);
            result.put("threads", threads);
            System.out.println("RESULT " + new ObjectMapper().writeValueAsString(result));
        }
    }

    /** A smooth synthetic 8-bit image for warming the engine up. */
    static PixelImage synthetic(int width, int height) {
        float[] rgb = new float[width * height * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = Math.round(255 * (0.5 + 0.4 * Math.sin(i * 0.001))) / 255f;
        }
        return PixelImage.fromFloats(width, height, rgb, null, false);
    }

    /** The top-left {@code width}×{@code height} pixels (or fewer). */
    static PixelImage crop(PixelImage image, int width, int height) {
        int w = Math.min(width, image.width());
        int h = Math.min(height, image.height());
        float[] rgb = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            image.readRgb(0, y, w, rgb, 3 * y * w);
        }
        return PixelImage.fromFloats(w, h, rgb, null, false, image.bitDepth());
    }

    /**
     * Engines × tile batches on one crop, interleaved round by round in one JVM, so that a changing
     * machine load affects every configuration alike: the A/B behind the default engine and batch.
     */
    private static void ab(Map<String, String> o) throws IOException {
        int threads = Integer.parseInt(o.getOrDefault("threads", "2"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
        String modelName = o.getOrDefault("model", "gaussian");
        Path modelsDir = Path.of(o.getOrDefault("models-dir", "models/zoo"));
        String[] crop = o.getOrDefault("crop", "1440x960").split("x");
        List<String> engines = List.of(o.getOrDefault("engines", "tensorflow,onnxruntime").split(","));
        List<Integer> batches = Arrays.stream(o.getOrDefault("batches", "1,2,4").split(",")).map(Integer::valueOf).toList();
        ImageCodec codec = new ImageCodec(ImageLimits.of(Map.of("max-bytes", "1GB", "max-upload-bytes", "1GB", "max-pixels", "60000000")));
        PixelImage pixels = crop(codec.decode(Files.readAllBytes(Path.of(o.get("image")))),
                Integer.parseInt(crop[0]), Integer.parseInt(crop[1]));
        double mp = (double) pixels.width() * pixels.height() / 1e6;
        Map<String, ModelRegistry> registries = new LinkedHashMap<>();
        Map<String, double[]> times = new LinkedHashMap<>();
        try {
            for (String engine : engines) {
                InferenceEngine e = InferenceEngine.valueOf(engine.toUpperCase(Locale.ROOT));
                registries.put(engine, new ModelRegistry(new InferenceProperties(modelsDir, modelName, 1, threads, 512, 32,
                        e, Map.of(), 1), new ObjectMapper()));
                for (int batch : batches) {
                    times.put(engine + " batch " + batch, new double[rounds]);
                }
            }
            for (int round = -1; round < rounds; round++) {
                for (String engine : engines) {
                    DenoisingModel model = registries.get(engine).get(modelName);
                    for (int batch : batches) {
                        long start = System.nanoTime();
                        new Denoiser(512, 32, batch).denoise(pixels, model, 1.0);
                        if (round >= 0) {
                            times.get(engine + " batch " + batch)[round] = (System.nanoTime() - start) / 1e9;
                        }
                    }
                }
            }
        } finally {
            registries.values().forEach(ModelRegistry::close);
        }
        ObjectNode result = JSON.createObjectNode();
        result.put("image", o.get("image"));
        result.put("width", pixels.width());
        result.put("height", pixels.height());
        result.put("threads", threads);
        result.put("rounds", rounds);
        result.put("load_after", loadAverage());
        ObjectNode configs = result.putObject("configs");
        System.out.printf(Locale.ROOT, "%.2f MP crop, %d threads, %d interleaved rounds after one warm-up, load %.2f%n",
                mp, threads, rounds, loadAverage());
        times.forEach((name, seconds) -> {
            ObjectNode c = configs.putObject(name);
            ArrayNode list = c.putArray("seconds");
            Arrays.stream(seconds).forEach(list::add);
            c.put("median_s", median(seconds));
            c.put("mp_per_s", mp / median(seconds));
            System.out.printf(Locale.ROOT, "%-24s median %.3f s  %.3f MP/s  %s%n", name, median(seconds),
                    mp / median(seconds), Arrays.toString(Arrays.stream(seconds).map(v -> Math.round(v * 1000) / 1000.0).toArray()));
        });
        if (o.containsKey("out")) {
            JSON.writeValue(Path.of(o.get("out")).toFile(), result);
        }
    }

    /** A /proc/self/status value in kB (VmRSS: now, VmHWM: peak since start or the last reset). */
    private static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Restarts VmHWM at the current RSS (Linux clear_refs 5) and the heap pools' peaks. */
    private static void resetPeaks() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            System.err.println("cannot reset VmHWM (" + e.getMessage() + "): peak RSS includes start-up");
        }
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** Sum of the heap pools' peak usage: an upper bound of the peak heap in use (pools peak apart). */
    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
    }

    // ---------------------------------------------------------------- the whole table

    private static void run(Map<String, String> o) throws Exception {
        Path inputs = Path.of(o.getOrDefault("inputs", "benchmarks/results/tmp/inputs"));
        List<String> sizes = List.of(o.getOrDefault("sizes", "0.4,4,12,40").split(","));
        List<String> engines = List.of(o.getOrDefault("engines", "tensorflow,onnxruntime").split(","));
        // tf, ort (the onnxruntime wheel), nlm; "none" for none
        List<String> pythonMethods = Arrays.stream(o.getOrDefault("python-methods", "tf,nlm").split(","))
                .filter(m -> !m.isBlank() && !m.equals("none")).toList();
        String python = o.getOrDefault("python", "benchmarks/.venv/bin/python");
        String threads = o.getOrDefault("threads", "2");
        String batch = o.getOrDefault("batch", "1");
        String model = o.getOrDefault("model", "gaussian");
        String modelsDir = o.getOrDefault("models-dir", "models/zoo");
        String nlmH = o.getOrDefault("nlm-h", "14");
        String inPlace = o.getOrDefault("in-place", "false");
        // -Xmx of a Java child: sized when pixels were float RGB (12 B/pixel, input and result); now they
        // are 3-6 B/pixel and this is more than needed, kept so the table stays comparable with earlier runs
        double xmxPerMp = Double.parseDouble(o.getOrDefault("xmx-per-mp", Boolean.parseBoolean(inPlace) ? "20" : "36"));
        // timed runs per size (after a warm-up on a 1024x1024 crop): one number, or one per size
        List<String> runList = List.of(o.getOrDefault("runs", "5,5,3,1").split(","));
        if (runList.size() != 1 && runList.size() != sizes.size()) {
            throw new IllegalArgumentException("--runs needs one value or one per size");
        }
        String classpath = System.getProperty("java.class.path");
        Path out = Path.of(o.getOrDefault("out", "benchmarks/results/cpu-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + ".json"));

        ObjectNode report = JSON.createObjectNode();
        report.set("machine", machine(threads));
        ObjectNode settings = report.putObject("settings");
        settings.put("model", model);
        settings.put("threads", Integer.parseInt(threads));
        settings.put("tile", TILE);
        settings.put("tiling", "a model card's tile_overlap raises the overlap, and the tile to four overlaps (Denoiser)");
        settings.put("overlap", OVERLAP);
        settings.put("batch", Integer.parseInt(batch));
        settings.put("java_in_place", Boolean.parseBoolean(inPlace));
        settings.put("java_xmx_mb", "max(512, " + xmxPerMp + " x MP + 256)");
        settings.put("runs", String.join(",", runList));
        settings.put("warmup", "one denoise of the top-left 1024x1024 crop (the same tile shape)");
        settings.put("nlm", "cv2.fastNlMeansDenoisingColored(h=hColor=" + nlmH + ", 7, 21)");
        ArrayNode results = report.putArray("results");

        for (int s = 0; s < sizes.size(); s++) {
            String size = sizes.get(s);
            Path image = inputs.resolve("noisy-" + size + "mp.png");
            double mp = Double.parseDouble(size);
            String n = runList.get(runList.size() == 1 ? 0 : s);
            long xmxMb = Math.max(512, Math.round(mp * xmxPerMp + 256));
            for (String engine : engines) {
                List<String> command = new ArrayList<>(List.of("java", "-Xmx" + xmxMb + "m", "-Dai.djl.offline=true",
                        "-cp", classpath, InferenceBench.class.getName(), "child", "--engine", engine,
                        "--image", image.toString(), "--runs", n, "--warmup", "1", "--threads", threads,
                        "--batch", batch, "--model", model, "--models-dir", modelsDir, "--in-place", inPlace));
                results.add(measure(command));
            }
            for (String method : pythonMethods) {
                List<String> command = new ArrayList<>(List.of(python, "benchmarks/python/bench.py", method,
                        "--image", image.toString(), "--runs", n, "--warmup", "1", "--threads", threads));
                if (method.equals("nlm")) {
                    command.addAll(List.of("--h", nlmH));
                } else {
                    command.addAll(List.of("--model-dir", Path.of(modelsDir, model).toString()));
                }
                results.add(measure(command));
            }
        }
        report.put("load_after", loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        JSON.writeValue(out.toFile(), report);
        printTable(report);
        System.out.println("wrote " + out);
    }

    private static JsonNode measure(List<String> command) throws IOException, InterruptedException {
        System.err.println("$ " + String.join(" ", command.subList(0, Math.min(command.size(), 3))) + " ... "
                + String.join(" ", command.subList(command.indexOf("--image") - 1, command.size())));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        double load = loadAverage();
        Process process = builder.start();
        JsonNode result = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    result = JSON.readTree(line.substring(7));
                }
            }
        }
        int exit = process.waitFor();
        if (result == null) {
            ObjectNode failed = JSON.createObjectNode();
            failed.put("method", command.get(command.indexOf("--image") - 1));
            failed.put("image", command.get(command.indexOf("--image") + 1));
            failed.put("error", "exit " + exit + ", no result");
            System.err.println("  failed: exit " + exit);
            return failed;
        }
        ((ObjectNode) result).put("load_before", load);
        System.err.printf(Locale.ROOT, "  %s %.2f MP: %.3f MP/s, peak RSS %.0f MB%n", result.path("method").asText(),
                result.path("megapixels").asDouble(), result.path("mp_per_s").asDouble(),
                result.path("peak_rss_mb").asDouble());
        return result;
    }

    private static void printTable(JsonNode report) {
        Map<String, Double> baseline = new LinkedHashMap<>();
        for (JsonNode r : report.path("results")) {
            if (r.path("method").asText().equals("python-tensorflow")) {
                baseline.put(r.path("image").asText(), r.path("mp_per_s").asDouble());
            }
        }
        JsonNode m = report.path("machine");
        System.out.printf(Locale.ROOT, "%s, %d cores (nproc), load %.2f before / %.2f after; %s threads, tile %d, batch %s%n",
                m.path("cpu").asText(), m.path("nproc").asInt(), m.path("load_before").asDouble(),
                report.path("load_after").asDouble(), report.path("settings").path("threads").asText(),
                report.path("settings").path("tile").asInt(), report.path("settings").path("batch").asText());
        System.out.printf(Locale.ROOT, "%-20s %7s %5s %10s %8s %9s %11s %11s%n", "method", "MP", "runs", "median s",
                "MP/s", "vs py-TF", "peak RSS MB", "peak heap MB");
        for (JsonNode r : report.path("results")) {
            if (r.has("error")) {
                System.out.printf(Locale.ROOT, "%-20s %s: %s%n", r.path("method").asText(), r.path("image").asText(),
                        r.path("error").asText());
                continue;
            }
            Double base = baseline.get(r.path("image").asText());
            System.out.printf(Locale.ROOT, "%-20s %7.2f %5d %10.3f %8.3f %9s %11.0f %11s%n", r.path("method").asText(),
                    r.path("megapixels").asDouble(), r.path("runs").asInt(), r.path("median_s").asDouble(),
                    r.path("mp_per_s").asDouble(),
                    base == null ? "-" : String.format(Locale.ROOT, "%.2fx", r.path("mp_per_s").asDouble() / base),
                    r.path("peak_rss_mb").asDouble(),
                    r.has("peak_heap_mb") ? String.format(Locale.ROOT, "%.0f", r.path("peak_heap_mb").asDouble()) : "-");
        }
    }

    private static ObjectNode machine(String threads) throws IOException {
        ObjectNode machine = JSON.createObjectNode();
        machine.put("nproc", Runtime.getRuntime().availableProcessors());
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        machine.put("cpu", cpu);
        machine.put("memory_gb", Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1048576.0).orElse(0.0));
        machine.put("load_before", loadAverage());
        machine.put("java", System.getProperty("java.version"));
        machine.put("gpu", "none (CPU only)");
        return machine;
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
