package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuotaCountTest {

    @Test
    void aCallerUnderItsBoundCostsNoChecksAndOneAtItIsCheckedOnlyUntilItFallsBelow() {
        List<String> asked = new ArrayList<>();

        assertThat(QuotaCount.reached(List.of("a", "b"), 3, key -> asked.add(key)))
                .isFalse();
        assertThat(asked).isEmpty();

        assertThat(QuotaCount.reached(List.of("a", "b", "c", "d"), 3, key -> asked.add(key) && !key.equals("c")))
                .isFalse();
        assertThat(asked).containsExactly("a", "b");

        asked.clear();
        assertThat(QuotaCount.reached(List.of("a", "b", "c"), 3, key -> !asked.add(key)))
                .isTrue();
        assertThat(asked).containsExactly("a", "b", "c");
    }

    @Test
    void aCallerThatTrulyHoldsItsBoundCostsAtMostABoundedNumberOfChecksPerRequest() {
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            held.add("job-" + i);
        }
        List<String> asked = new ArrayList<>();

        assertThat(QuotaCount.reached(held, 200, key -> !asked.add(key))).isTrue();
        assertThat(asked).hasSize(QuotaCount.MAX_CHECKS);
    }
}
