package io.noise2noise.worker.inference;

import io.noise2noise.image.PixelImage;
import java.util.Arrays;

/**
 * What an image's noise looks like, measured on a bounded sample of it: up to {@value #MAX_WINDOWS}
 * windows of {@value #WINDOW}×{@value #WINDOW} pixels spread evenly over the image, so the cost does
 * not grow with the image (about 260 k pixels at most). Values are on the 0–255 scale.
 *
 * @param sigma              noise standard deviation per colour channel (R, G, B; one value for grey
 *                           images): the median absolute finest diagonal Haar detail over 0.6745
 *                           (Donoho), which image structure rarely reaches
 * @param signalDependence   how much of the noise variance at mid grey grows with brightness: the line
 *                           variance = a + b·mean fitted to the flattest blocks of each brightness, as
 *                           b·128 / (a + b·128); about 0 for additive noise, 1 for shot (Poisson) noise;
 *                           0 when too few brightness levels are there to fit
 * @param outliers           fraction of pixels (of the windows' central quarter) far from their 3×3 median,
 *                           in any channel, by more than 40 and six robust standard deviations of that
 *                           distance (from its lower quartile): impulses and text strokes
 * @param outlierRepeats     fraction of those outliers with a neighbouring outlier of exactly the same
 *                           colour: text is drawn in one colour per string, random impulses are not
 * @param farOutliers        fraction of pixels farther than 100 (and six robust standard deviations) from their
 *                           3×3 median: random impulses reach there, noise with heavy tails rarely does
 * @param averagingRatio     how much more of the noise survives averaging 2×2 pixels than independent
 *                           per-pixel noise would: the finest diagonal detail's median at half resolution
 *                           over at full resolution, doubled; about 1 for independent noise, 1.5–5 for
 *                           noise spread over neighbouring pixels (demosaicing, in-camera processing, JPEG)
 * @param sampledPixels      pixels the measurement read
 */
public record NoiseFeatures(
        double[] sigma,
        double signalDependence,
        double outliers,
        double outlierRepeats,
        double farOutliers,
        double averagingRatio,
        long sampledPixels) {

    static final int WINDOW = 64;
    static final int MAX_WINDOWS = 64;
    private static final int BLOCK = 8;
    private static final double MAD_TO_SIGMA = 0.6745;
    /** The lower quartile of the largest of three channels' |N(0, 1)|: (2Φ(t) − 1)³ = 1/4 (grey images: close enough). */
    private static final double LOWER_QUARTILE_TO_SIGMA = 0.90;
    /** Histogram bins per unit on the 0–255 scale: medians to 1/16 of a level. */
    private static final int BINS_PER_LEVEL = 16;

    private static final double OUTLIER_MIN_DISTANCE = 40;
    private static final double FAR_OUTLIER_MIN_DISTANCE = 100;
    private static final double OUTLIER_SIGMAS = 6;

    /** The mean of the channels' noise sd. */
    public double meanSigma() {
        return Arrays.stream(sigma).average().orElse(0);
    }

    /** Measures {@code image}; an image smaller than 8×8 pixels measures as noiseless. */
    public static NoiseFeatures of(PixelImage image) {
        int colours = image.grey() ? 1 : 3;
        int side = Math.min(WINDOW, Math.min(image.width(), image.height())) / BLOCK * BLOCK;
        if (side == 0) {
            return new NoiseFeatures(new double[colours], 0, 0, 0, 0, 0, 0);
        }
        int across = Math.min(image.width() / side, (int) Math.sqrt(MAX_WINDOWS));
        int down = Math.min(image.height() / side, MAX_WINDOWS / across);
        Measurement measurement = new Measurement(colours, side, across * down);
        float[] row = new float[side * 3];
        float[][] window = new float[colours][side * side];
        for (int wy = 0; wy < down; wy++) {
            for (int wx = 0; wx < across; wx++) {
                // windows centred in equal cells of the image
                int x0 = (int) ((wx + 0.5) * image.width() / across) - side / 2;
                int y0 = (int) ((wy + 0.5) * image.height() / down) - side / 2;
                for (int y = 0; y < side; y++) {
                    image.readRgb(x0, y0 + y, side, row, 0);
                    for (int x = 0; x < side; x++) {
                        for (int c = 0; c < colours; c++) {
                            window[c][y * side + x] = row[3 * x + c] * 255f;
                        }
                    }
                }
                measurement.add(window);
            }
        }
        return measurement.features();
    }

    /** Sums over the windows, turned into features at the end. */
    private static final class Measurement {
        private final int colours;
        private final int side;
        /** Per channel: a histogram of the finest diagonal details. */
        private final long[][] detailCounts;
        /** All channels: the same of the windows binned 2×2. */
        private final long[] coarseCounts = new long[256 * BINS_PER_LEVEL];
        /** Per channel: each block's mean and detail energy. */
        private final double[][] blockMean;

        private final double[][] blockEnergy;
        private int blocks;
        /** Each central pixel's largest channel distance from its 3×3 median: a histogram, and per window with its colour. */
        private final long[] residualCounts = new long[256 * BINS_PER_LEVEL];

        private final float[][] windowResiduals;
        private final long[][] windowColours;
        private int residualIndex;
        private long pixels;
        private long outlierCount;
        private long repeatCount;

        Measurement(int colours, int side, int windows) {
            this.colours = colours;
            this.side = side;
            this.detailCounts = new long[colours][256 * BINS_PER_LEVEL];
            int blocksPerWindow = (side / BLOCK) * (side / BLOCK);
            blockMean = new double[colours][windows * blocksPerWindow];
            blockEnergy = new double[colours][windows * blocksPerWindow];
            windowResiduals = new float[windows][];
            windowColours = new long[windows][];
        }

        void add(float[][] window) {
            for (int c = 0; c < colours; c++) {
                addDetails(window[c], detailCounts[c]);
                addCoarseDetails(window[c]);
            }
            addBlocks(window);
            addResiduals(window);
        }

        private void addDetails(float[] plane, long[] counts) {
            for (int y = 0; y < side; y += 2) {
                for (int x = 0; x < side; x += 2) {
                    int i = y * side + x;
                    double detail = Math.abs(plane[i] - plane[i + 1] - plane[i + side] + plane[i + side + 1]) / 2;
                    counts[bin(detail)]++;
                }
            }
        }

        /** The finest diagonal detail of the window binned 2×2: half the fine one's for independent noise. */
        private void addCoarseDetails(float[] plane) {
            for (int y = 0; y + 3 < side; y += 4) {
                for (int x = 0; x + 3 < side; x += 4) {
                    double[] binned = new double[4];
                    for (int q = 0; q < 4; q++) {
                        int i = (y + 2 * (q / 2)) * side + x + 2 * (q % 2);
                        binned[q] = (plane[i] + plane[i + 1] + plane[i + side] + plane[i + side + 1]) / 4.0;
                    }
                    coarseCounts[bin(Math.abs(binned[0] - binned[1] - binned[2] + binned[3]) / 2)]++;
                }
            }
        }

        private void addBlocks(float[][] window) {
            for (int by = 0; by < side; by += BLOCK) {
                for (int bx = 0; bx < side; bx += BLOCK) {
                    for (int c = 0; c < colours; c++) {
                        measureBlock(window[c], by * side + bx, c);
                    }
                    blocks++;
                }
            }
        }

        /** The block's mean, and the mean square of its finest diagonal details (its noise variance, if flat). */
        private void measureBlock(float[] plane, int topLeft, int c) {
            double sum = 0;
            double energy = 0;
            for (int y = 0; y < BLOCK; y += 2) {
                for (int x = 0; x < BLOCK; x += 2) {
                    int i = topLeft + y * side + x;
                    sum += plane[i] + plane[i + 1] + plane[i + side] + plane[i + side + 1];
                    double detail = (plane[i] - plane[i + 1] - plane[i + side] + plane[i + side + 1]) / 2;
                    energy += detail * detail;
                }
            }
            blockMean[c][blocks] = sum / (BLOCK * BLOCK);
            blockEnergy[c][blocks] = energy / (BLOCK * BLOCK / 4);
        }

        /** Pixels of the central square of each window where outliers are counted: the cost of 3×3 medians bounds it. */
        private int outlierSide() {
            return Math.max(1, side / 2);
        }

        /** Each central pixel's largest channel distance from its 3×3 median, and its colour, kept for the end. */
        private void addResiduals(float[][] window) {
            int inner = outlierSide();
            int from = (side - inner) / 2;
            float[] distance = new float[inner * inner];
            long[] colour = new long[inner * inner];
            float[] neighbourhood = new float[9];
            for (int y = from; y < from + inner; y++) {
                for (int x = from; x < from + inner; x++) {
                    float largest = 0;
                    long packed = 0;
                    for (int c = 0; c < colours; c++) {
                        float[] plane = window[c];
                        int n = 0;
                        for (int dy = -1; dy <= 1; dy++) {
                            for (int dx = -1; dx <= 1; dx++) {
                                neighbourhood[n++] = plane[(y + dy) * side + x + dx];
                            }
                        }
                        float centre = plane[y * side + x];
                        largest = Math.max(largest, Math.abs(centre - median9(neighbourhood)));
                        packed = packed * (256 * BINS_PER_LEVEL) + Math.round(centre * BINS_PER_LEVEL);
                    }
                    int i = (y - from) * inner + x - from;
                    distance[i] = largest;
                    colour[i] = packed;
                    residualCounts[bin(largest)]++;
                }
            }
            windowResiduals[residualIndex] = distance;
            windowColours[residualIndex++] = colour;
            pixels += (long) side * side;
        }

        NoiseFeatures features() {
            double[] sigma = new double[colours];
            for (int c = 0; c < colours; c++) {
                sigma[c] = quantile(detailCounts[c], 0.5) / MAD_TO_SIGMA;
            }
            long[] pooled = new long[256 * BINS_PER_LEVEL];
            for (long[] counts : detailCounts) {
                for (int i = 0; i < counts.length; i++) {
                    pooled[i] += counts[i];
                }
            }
            double fineMedian = quantile(pooled, 0.5);
            double averagingRatio = fineMedian <= 0 ? 0 : 2 * quantile(coarseCounts, 0.5) / fineMedian;
            // from the lower quartile: with many impulses the median distance is an impulse's
            double residualSigma = quantile(residualCounts, 0.25) / LOWER_QUARTILE_TO_SIGMA;
            double threshold = Math.max(OUTLIER_MIN_DISTANCE, OUTLIER_SIGMAS * residualSigma);
            countOutliers(threshold);
            double farThreshold = Math.max(FAR_OUTLIER_MIN_DISTANCE, OUTLIER_SIGMAS * residualSigma);
            long far = 0;
            for (int i = bin(farThreshold) + 1; i < residualCounts.length; i++) {
                far += residualCounts[i];
            }
            long inner = (long) residualIndex * outlierSide() * outlierSide();
            return new NoiseFeatures(
                    sigma,
                    signalDependence(),
                    inner == 0 ? 0 : (double) outlierCount / inner,
                    outlierCount == 0 ? 0 : (double) repeatCount / outlierCount,
                    inner == 0 ? 0 : (double) far / inner,
                    averagingRatio,
                    pixels);
        }

        private void countOutliers(double threshold) {
            int inner = outlierSide();
            for (int w = 0; w < residualIndex; w++) {
                float[] distance = windowResiduals[w];
                long[] colour = windowColours[w];
                for (int y = 0; y < inner; y++) {
                    for (int x = 0; x < inner; x++) {
                        int i = y * inner + x;
                        if (distance[i] <= threshold) {
                            continue;
                        }
                        outlierCount++;
                        if (hasSameColouredOutlierNeighbour(distance, colour, inner, x, y, threshold)) {
                            repeatCount++;
                        }
                    }
                }
            }
        }

        private static boolean hasSameColouredOutlierNeighbour(
                float[] distance, long[] colour, int inner, int x, int y, double threshold) {
            int i = y * inner + x;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = x + dx;
                    int ny = y + dy;
                    if ((dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < inner && ny < inner) {
                        int j = ny * inner + nx;
                        if (distance[j] > threshold && colour[j] == colour[i]) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        /**
         * The lower quartile of block detail energy in each of 8 brightness bands between 16 and 240
         * (clipping bends the noise outside), fitted by a line weighted by the blocks in each band.
         */
        private double signalDependence() {
            int bands = 8;
            double low = 16;
            double width = (240 - low) / bands;
            double sw = 0;
            double sx = 0;
            double sy = 0;
            double sxx = 0;
            double sxy = 0;
            int usedBands = 0;
            for (int c = 0; c < colours; c++) {
                for (int band = 0; band < bands; band++) {
                    double from = low + band * width;
                    double[] energies = new double[blocks];
                    int n = 0;
                    for (int b = 0; b < blocks; b++) {
                        double mean = blockMean[c][b];
                        if (mean >= from && mean < from + width) {
                            energies[n++] = blockEnergy[c][b];
                        }
                    }
                    if (n < 8) {
                        continue;
                    }
                    double energy = quantile(Arrays.copyOf(energies, n), 0.25);
                    double centre = from + width / 2;
                    double weight = Math.sqrt(n);
                    sw += weight;
                    sx += weight * centre;
                    sy += weight * energy;
                    sxx += weight * centre * centre;
                    sxy += weight * centre * energy;
                    usedBands++;
                }
            }
            double denominator = sw * sxx - sx * sx;
            if (usedBands < 3 * colours / 2 + 1 || denominator <= 1e-9) {
                return 0;
            }
            double slope = (sw * sxy - sx * sy) / denominator;
            double intercept = (sy - slope * sx) / sw;
            double atMidGrey = intercept + slope * 128;
            return atMidGrey <= 1e-9 ? 0 : Math.max(-1, Math.min(2, slope * 128 / atMidGrey));
        }

        private static int bin(double value) {
            return (int) Math.min(256 * BINS_PER_LEVEL - 1, Math.round(value * BINS_PER_LEVEL));
        }

        /**
         * The {@code q} quantile of the histogram, each bin's values spread evenly between the midpoints
         * to its occupied neighbours: 8-bit samples give details in steps of 0.5, and a plain median of
         * those would move in steps of 0.74 sd.
         */
        private static double quantile(long[] counts, double q) {
            long total = Arrays.stream(counts).sum();
            double wanted = q * total;
            long seen = 0;
            int previous = -1;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    continue;
                }
                if (seen + counts[i] > wanted) {
                    int next = i + 1;
                    while (next < counts.length && counts[next] == 0) {
                        next++;
                    }
                    double from = previous < 0 ? i : (previous + i) / 2.0;
                    double to = next == counts.length ? i : (i + next) / 2.0;
                    double within = (wanted - seen) / counts[i];
                    return Math.max(0, from + (to - from) * within) / BINS_PER_LEVEL;
                }
                seen += counts[i];
                previous = i;
            }
            return 0;
        }

        private static double quantile(double[] values, double q) {
            if (values.length == 0) {
                return 0;
            }
            Arrays.sort(values);
            return values[(int) Math.min(values.length - 1, Math.floor(q * values.length))];
        }

        /** The median of nine values (reorders them): Paeth's 19 compare-exchanges. */
        private static float median9(float[] p) {
            sort2(p, 1, 2);
            sort2(p, 4, 5);
            sort2(p, 7, 8);
            sort2(p, 0, 1);
            sort2(p, 3, 4);
            sort2(p, 6, 7);
            sort2(p, 1, 2);
            sort2(p, 4, 5);
            sort2(p, 7, 8);
            sort2(p, 0, 3);
            sort2(p, 5, 8);
            sort2(p, 4, 7);
            sort2(p, 3, 6);
            sort2(p, 1, 4);
            sort2(p, 2, 5);
            sort2(p, 4, 7);
            sort2(p, 4, 2);
            sort2(p, 6, 4);
            sort2(p, 4, 2);
            return p[4];
        }

        private static void sort2(float[] p, int a, int b) {
            if (p[a] > p[b]) {
                float t = p[a];
                p[a] = p[b];
                p[b] = t;
            }
        }
    }
}
