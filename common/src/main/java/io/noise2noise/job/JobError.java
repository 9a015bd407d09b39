package io.noise2noise.job;

/** Why a job did not succeed: a stable machine-readable code and a message for people. */
public record JobError(String code, String message) {

    public static final String INVALID_IMAGE = "invalid_image";
    public static final String UNKNOWN_MODEL = "unknown_model";
    public static final String PROCESSING_FAILED = "processing_failed";
    public static final String CANCELED = "canceled";
    public static final String EXPIRED = "expired";
}
