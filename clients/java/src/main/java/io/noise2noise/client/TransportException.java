package io.noise2noise.client;

/**
 * No usable answer: the connection was refused or reset, the host is unknown, the call ran past its
 * time-out, the thread was interrupted, or the body was not the API's JSON. The request may or may not
 * have reached the gateway.
 */
public final class TransportException extends Noise2NoiseException {

    private static final long serialVersionUID = 1L;

    TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
