package io.noise2noise.client;

/** Anything this client throws on purpose: {@link ApiException}, {@link TransportException}, {@link WaitTimeoutException}. */
public abstract class Noise2NoiseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    Noise2NoiseException(String message, Throwable cause) {
        super(message, cause);
    }
}
