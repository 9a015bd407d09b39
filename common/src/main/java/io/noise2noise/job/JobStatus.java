package io.noise2noise.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a job is in its life. States only move forward: queued → running → one terminal state
 * (succeeded, failed, canceled, expired). A running job may be marked running again: progress
 * updates, or its message redelivered because its worker died.
 */
public enum JobStatus {
    QUEUED(0),
    RUNNING(1),
    SUCCEEDED(2),
    FAILED(2),
    CANCELED(2),
    EXPIRED(2);

    private final int rank;

    JobStatus(int rank) {
        this.rank = rank;
    }

    public boolean isTerminal() {
        return rank == 2;
    }

    /** A redelivered or late message must never move a job backwards or out of a terminal state. */
    public boolean canMoveTo(JobStatus next) {
        return !isTerminal() && (next.rank > rank || this == RUNNING && next == RUNNING);
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static JobStatus fromWireName(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
