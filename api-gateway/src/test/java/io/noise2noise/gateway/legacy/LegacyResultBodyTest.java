package io.noise2noise.gateway.legacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LegacyResultBodyTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void isByteForByteWhatJacksonWritesForTheWholeResult() throws IOException {
        Random random = new Random(11);
        for (int size : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 29, 30, 31, 32, 1000}) {
            byte[] result = new byte[size];
            random.nextBytes(result);
            byte[] expected = MAPPER.writeValueAsBytes(
                    LegacyResponse.success(Base64.getEncoder().encodeToString(result)));

            assertThat(write(result, 30, new ArrayList<>()))
                    .as("%d bytes in ranges of 30", size)
                    .isEqualTo(expected);
            assertThat(write(result, LegacyResultBody.RANGE_BYTES, new ArrayList<>()))
                    .as("%d bytes", size)
                    .isEqualTo(expected);
        }
    }

    @Test
    void readsTheResultInRangesNeverWhole() throws IOException {
        byte[] result = new byte[100];
        List<Integer> lengths = new ArrayList<>();

        write(result, 30, lengths);

        assertThat(lengths).containsExactly(30, 30, 30, 10);
    }

    @Test
    void aResultThatShrinksWhileBeingSentFailsTheAnswer() {
        LegacyResultBody body = new LegacyResultBody(
                100, 30, (offset, length) -> offset >= 60 ? Optional.empty() : Optional.of(new byte[length]));

        assertThatThrownBy(() -> body.writeTo(new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("at byte 60");
        assertThatThrownBy(() -> new LegacyResultBody(10, 32, (offset, length) -> Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] write(byte[] result, int rangeBytes, List<Integer> lengths) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LegacyResultBody(result.length, rangeBytes, (offset, length) -> {
                    lengths.add(length);
                    return Optional.of(Arrays.copyOfRange(result, (int) offset, (int) offset + length));
                })
                .writeTo(out);
        return out.toByteArray();
    }
}
