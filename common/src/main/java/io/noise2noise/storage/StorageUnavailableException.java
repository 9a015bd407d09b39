package io.noise2noise.storage;

/** S3 could not be reached or answered with an error: transient, worth retrying. */
public class StorageUnavailableException extends RuntimeException {

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
