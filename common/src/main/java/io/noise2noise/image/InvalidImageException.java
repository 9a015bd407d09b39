package io.noise2noise.image;

/** The bytes are not an image we accept. The message says why, in words fit for the client. */
public class InvalidImageException extends RuntimeException {

    /** {@code NOT_WRITABLE}: a readable image the asked output format cannot hold (too wide, too big a result). */
    public enum Reason {
        EMPTY,
        TOO_MANY_BYTES,
        TOO_MANY_PIXELS,
        UNSUPPORTED_FORMAT,
        CORRUPT,
        NOT_WRITABLE
    }

    private final Reason reason;

    public InvalidImageException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidImageException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
