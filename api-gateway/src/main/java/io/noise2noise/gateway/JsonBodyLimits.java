package io.noise2noise.gateway;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.noise2noise.gateway.bodies.BodyTooLargeException;
import io.noise2noise.image.ImageLimits;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The longest string a JSON body may hold, derived from {@code n2n.images.max-bytes}: the base64 of
 * an image at the byte limit, MIME-wrapped (76 characters and a line break), behind a {@code data:}
 * prefix. Jackson refuses a longer string while reading it, so such a body is never held whole;
 * the routes answer that refusal with 413 (Jackson's own default, 20 M characters, would otherwise
 * cap JSON images at 15 MB and answer 400).
 */
@Configuration(proxyBeanMethods = false)
public class JsonBodyLimits {

    private static final int DATA_URL_PREFIX = 256;

    private final ImageLimits limits;

    public JsonBodyLimits(ImageLimits limits) {
        this.limits = limits;
    }

    public static int maxStringLength(ImageLimits limits) {
        long base64 = (limits.maxBytes().toBytes() + 2) / 3 * 4;
        long wrapped = base64 + (base64 + 75) / 76 * 2;
        return (int) Math.min(Integer.MAX_VALUE, wrapped + DATA_URL_PREFIX);
    }

    @Bean
    Jackson2ObjectMapperBuilderCustomizer jsonStringLimit() {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxStringLength(maxStringLength(limits))
                .build();
        return builder -> builder.postConfigurer(mapper -> mapper.getFactory().setStreamReadConstraints(constraints));
    }

    /**
     * Whether a body could not be read because it is over the limit: one of its strings (Jackson's
     * constraint), or a chunked body as a whole ({@link BodyTooLargeException}).
     */
    public static boolean isTooLarge(Throwable failure) {
        return tooLargeCause(failure) != null;
    }

    /** What a client whose JSON body was refused as {@link #isTooLarge too large} is told. */
    public String tooLargeMessage(Throwable failure) {
        if (tooLargeCause(failure) instanceof BodyTooLargeException body) {
            return body.getMessage();
        }
        return "the JSON body holds a string over " + maxStringLength(limits) + " characters, the base64 of "
                + limits.maxBytes().toBytes()
                + " bytes (n2n.images.max-bytes); send bigger images with POST /v1/uploads "
                + "(up to " + limits.maxUploadBytes().toBytes() + " bytes, n2n.images.max-upload-bytes)";
    }

    private static Throwable tooLargeCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof BodyTooLargeException
                    || cause instanceof StreamConstraintsException
                            && cause.getMessage() != null
                            && cause.getMessage().contains("String value length")) {
                return cause;
            }
        }
        return null;
    }
}
