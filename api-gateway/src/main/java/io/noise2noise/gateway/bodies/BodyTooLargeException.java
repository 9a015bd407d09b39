package io.noise2noise.gateway.bodies;

import java.io.IOException;

/**
 * A request body without {@code Content-Length} (chunked) went past its route's limit while it was
 * read; thrown by the stream, so that whatever reads it (Jackson, a bounded copy) stops there.
 */
public class BodyTooLargeException extends IOException {

    public BodyTooLargeException(String message) {
        super(message);
    }
}
