package io.noise2noise.gateway.jobs;

import java.util.List;
import java.util.function.Predicate;

/** Counting a caller's holdings (upload slots, unfinished jobs) against its quota. */
final class QuotaCount {

    private QuotaCount() {
    }

    /**
     * True when at least {@code bound} of {@code keys} are still held. Those that {@code removeIfDone}
     * finds done (and removes) do not count; it is asked only while the count could still reach the
     * bound, so a caller well under its quota costs no reads.
     */
    static boolean reached(List<String> keys, int bound, Predicate<String> removeIfDone) {
        int held = keys.size();
        for (String key : keys) {
            if (held < bound) {
                return false;
            }
            if (removeIfDone.test(key)) {
                held--;
            }
        }
        return held >= bound;
    }
}
