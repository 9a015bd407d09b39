package io.noise2noise.client;

import java.util.Locale;

/** Where a job is: it moves forward only, and ends in one of the final statuses. */
public enum JobStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELED,
    EXPIRED;

    /** Succeeded, failed, canceled or expired: nothing changes after. */
    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }

    /** The name on the wire ({@code succeeded}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static JobStatus fromWire(String value) {
        for (JobStatus status : values()) {
            if (status.wireName().equals(value)) {
                return status;
            }
        }
        throw JsonFields.unreadable("unknown job status " + value);
    }
}
