package io.noise2noise.job;

/**
 * Why a job did not succeed: a stable machine-readable code and a message for people. The message is
 * shown to clients: it never carries exception class names, stack frames or method signatures.
 */
public record JobError(String code, String message) {

    public static final String INVALID_IMAGE = "invalid_image";
    public static final String UNKNOWN_MODEL = "unknown_model";
    /** The input object is larger than {@code n2n.images.max-upload-bytes}: refused before it is read. */
    public static final String INPUT_TOO_LARGE = "input_too_large";
    /** The denoised image cannot be written in the asked format (e.g. wider than JPEG allows). */
    public static final String OUTPUT_NOT_ENCODABLE = "output_not_encodable";

    public static final String PROCESSING_FAILED = "processing_failed";
    public static final String CANCELED = "canceled";
    public static final String EXPIRED = "expired";
}
