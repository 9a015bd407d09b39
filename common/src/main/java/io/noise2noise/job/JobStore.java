package io.noise2noise.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ConcurrentModificationException;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Job records in the object store: the one place job state lives, so any gateway replica can answer
 * for any job and state survives restarts. Updates only move a job forward ({@link JobStatus#canMoveTo}),
 * and each is a compare-and-swap: written only over the version it was computed from
 * ({@link ObjectStore#replaceIfMatch}), so of two changes racing from one state at most one wins
 * (a cancel and a worker's start can never both hold).
 */
public class JobStore {

    private static final String JSON = "application/json";
    /** Lost races before giving up: each loss means another change was written, so this bounds contention, not time. */
    static final int MAX_TRIES = 16;

    private final ObjectStore objects;
    private final ObjectMapper mapper;

    public JobStore(ObjectStore objects, ObjectMapper mapper) {
        this.objects = objects;
        this.mapper = mapper;
    }

    /**
     * Stores a new job's record, never over an existing one (a request that took over a stale
     * Idempotency-Key claim creates its job id again): {@code false} when the record was there.
     */
    public boolean create(Job job) {
        return objects.putIfAbsent(JobKeys.record(job.id()), json(job), JSON);
    }

    public Optional<Job> find(String jobId) {
        return findVersioned(jobId).map(Versioned::job);
    }

    /** The job with the version it was read at, for changes that go on from it ({@link #advance(Versioned, UnaryOperator)}). */
    public Optional<Versioned> findVersioned(String jobId) {
        if (!JobIds.isWellFormed(jobId)) {
            return Optional.empty();
        }
        return objects.getVersioned(JobKeys.record(jobId))
                .map(object -> new Versioned(read(object.data()), object.etag()));
    }

    /** A job as stored, with the ETag of that version of its record. */
    public record Versioned(Job job, String etag) {}

    /**
     * Applies {@code change} to the stored job if it moves the job forward, and returns the stored
     * job. {@code change} returns the job it was given, unchanged, when it does not apply to that
     * state (then, and when the job does not exist or the change would move it backwards, this
     * returns empty). When another change is written between the read and the write, the job is read
     * again and {@code change} applied to that: it may be called more than once.
     *
     * @throws ConcurrentModificationException when {@value #MAX_TRIES} tries in a row lost their race
     */
    public Optional<Job> advance(String jobId, UnaryOperator<Job> change) {
        return findVersioned(jobId).flatMap(stored -> advance(stored, change)).map(Versioned::job);
    }

    /**
     * Like {@link #advance(String, UnaryOperator)}, starting from a version already read (or written)
     * instead of reading it first: the usual case, nobody else changed the job since, costs one
     * conditional write. The result carries the version written, for the next change.
     */
    public Optional<Versioned> advance(Versioned from, UnaryOperator<Job> change) {
        String key = JobKeys.record(from.job().id());
        Versioned current = from;
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            Job next = change.apply(current.job());
            if (next == current.job() || !current.job().status().canMoveTo(next.status())) {
                return Optional.empty();
            }
            Optional<String> written = objects.replaceIfMatch(key, json(next), JSON, current.etag());
            if (written.isPresent()) {
                return Optional.of(new Versioned(next, written.get()));
            }
            Optional<ObjectStore.VersionedObject> stored = objects.getVersioned(key);
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            current = new Versioned(read(stored.get().data()), stored.get().etag());
        }
        throw new ConcurrentModificationException(
                "job " + from.job().id() + ": " + MAX_TRIES + " changes in a row lost their race to others");
    }

    /** Removes a job's record (the job is then unknown); its other objects stay. */
    public void delete(String jobId) {
        objects.delete(JobKeys.record(jobId));
    }

    /**
     * Records a client's wish to cancel. A separate object rather than a state change, so a worker
     * writing progress can never overwrite it; the worker turns it into the canceled state.
     */
    public void requestCancel(String jobId) {
        objects.put(JobKeys.cancelRequest(jobId), new byte[0], "application/octet-stream");
    }

    public boolean isCancelRequested(String jobId) {
        return objects.exists(JobKeys.cancelRequest(jobId));
    }

    private byte[] json(Job job) {
        try {
            return mapper.writeValueAsBytes(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job record not serialisable", e);
        }
    }

    private Job read(byte[] json) {
        try {
            return mapper.readValue(json, Job.class);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt job record", e);
        }
    }
}
