package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noise2noise.gateway.RequestRefusedException;
import java.lang.management.ManagementFactory;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A JSON image's base64 is decoded without copies of its text: its characters once, as bytes, and the image. */
class Base64DecodingTest {

    private static final int IMAGE_BYTES = 24 << 20;

    @Test
    void everyFormClientsSendDecodesToTheSameBytes() {
        byte[] image = new byte[1000];
        new Random(1).nextBytes(image);
        String plain = Base64.getEncoder().encodeToString(image);

        assertThat(JobSubmissions.decodeBase64("image", plain)).isEqualTo(image);
        assertThat(JobSubmissions.decodeBase64("image", "  " + plain + "\n")).isEqualTo(image);
        assertThat(JobSubmissions.decodeBase64("image", Base64.getMimeEncoder().encodeToString(image)))
                .isEqualTo(image);
        assertThat(JobSubmissions.decodeBase64(
                        "image",
                        "data:image/png;base64," + Base64.getMimeEncoder().encodeToString(image)))
                .isEqualTo(image);
        assertThat(JobSubmissions.decodeBase64("image", "\ndata:;base64," + plain))
                .isEqualTo(image);
        assertThat(JobSubmissions.decodeBase64("image", "AAE=")).containsExactly(0, 1);
        assertThat(JobSubmissions.decodeBase64("image", "AAE"))
                .as("padding is optional")
                .containsExactly(0, 1);
    }

    @Test
    void malformedBase64IsAClientError() {
        for (String bad : new String[] {"A*==", "AAE=AAE=", "AA\u00e9A", " ", "@@@@"}) {
            assertThatThrownBy(() -> JobSubmissions.decodeBase64("image", bad))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            RequestRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RequestRefusedException.Reason.MALFORMED_REQUEST));
        }
    }

    @Test
    void decodingAllocatesLittleMoreThanTheImage() {
        byte[] image = new byte[IMAGE_BYTES];
        new Random(2).nextBytes(image);
        String plain = Base64.getEncoder().encodeToString(image);
        String wrappedDataUrl =
                "data:image/png;base64," + Base64.getMimeEncoder().encodeToString(image);
        JobSubmissions.decodeBase64("image", "AAE="); // class loading and regexes out of the figure

        long plainBytes = allocatedBy(
                () -> assertThat(JobSubmissions.decodeBase64("image", plain)).hasSize(IMAGE_BYTES));
        long wrappedBytes = allocatedBy(() ->
                assertThat(JobSubmissions.decodeBase64("image", wrappedDataUrl)).hasSize(IMAGE_BYTES));

        System.out.printf(
                "base64 decoding of a %d MB image: %.2f x its size allocated for plain base64 (%d chars),"
                        + " %.2f x for a MIME-wrapped data URL (%d chars)%n",
                IMAGE_BYTES >> 20,
                (double) plainBytes / IMAGE_BYTES,
                plain.length(),
                (double) wrappedBytes / IMAGE_BYTES,
                wrappedDataUrl.length());
        assertThat(plainBytes).isLessThan(IMAGE_BYTES * 5L / 2);
        assertThat(wrappedBytes).isLessThan(IMAGE_BYTES * 5L / 2);
    }

    private static long allocatedBy(Runnable work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        work.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
