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
        if (!JobIds.isWellFormed(jobId)) {
            return Optional.empty();
        }
        return objects.get(JobKeys.record(jobId)).map(object -> read(object.data()));
    }

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
        if (!JobIds.isWellFormed(jobId)) {
            return Optional.empty();
        }
        String key = JobKeys.record(jobId);
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            Optional<ObjectStore.VersionedObject> stored = objects.getVersioned(key);
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            Job current = read(stored.get().data());
            Job next = change.apply(current);
            if (next == current || !current.status().canMoveTo(next.status())) {
                return Optional.empty();
            }
            if (objects.replaceIfMatch(key, json(next), JSON, stored.get().etag())) {
                return Optional.of(next);
            }
        }
        throw new ConcurrentModificationException("job " + jobId + ": " + MAX_TRIES
                + " changes in a row lost their race to others");
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
