package io.noise2noise.gateway.jobs;

import java.util.List;
import java.util.function.Predicate;

/** Counting a caller's holdings (upload slots, unfinished jobs) against its quota. */
final class QuotaCount {

    private QuotaCount() {}

    /**
     * At most this many holdings are checked for one request: a caller that truly holds its bound
     * would otherwise cost a read per holding on every refused request (a hostile client's lever on
     * the store); stale holdings are removed a few at a time, and by the results listener anyway.
     */
    static final int MAX_CHECKS = 16;

    /**
     * True when at least {@code bound} of {@code keys} are still held. Those that {@code removeIfDone}
     * finds done (and removes) do not count; it is asked only while the count could still reach the
     * bound, so a caller well under its quota costs no reads, and at most {@link #MAX_CHECKS} times.
     */
    static boolean reached(List<String> keys, int bound, Predicate<String> removeIfDone) {
        int held = keys.size();
        int checks = 0;
        for (String key : keys) {
            if (held < bound) {
                return false;
            }
            if (checks++ == MAX_CHECKS) {
                return true;
            }
            if (removeIfDone.test(key)) {
                held--;
            }
        }
        return held >= bound;
    }
}
