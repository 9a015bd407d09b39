package io.noise2noise.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Job records in the object store: the one place job state lives, so any gateway replica can answer
 * for any job and state survives restarts. Updates only move a job forward ({@link JobStatus#canMoveTo}).
 */
public class JobStore {

    private static final String JSON = "application/json";

    private final ObjectStore objects;
    private final ObjectMapper mapper;

    public JobStore(ObjectStore objects, ObjectMapper mapper) {
        this.objects = objects;
        this.mapper = mapper;
    }

    public void create(Job job) {
        write(job);
    }

    public Optional<Job> find(String jobId) {
        if (!JobIds.isWellFormed(jobId)) {
            return Optional.empty();
        }
        return objects.get(JobKeys.record(jobId)).map(object -> read(object.data()));
    }

    /**
     * Applies {@code change} if it moves the job forward and returns the stored job; returns empty
     * when the job does not exist or the change would move it backwards (a redelivery, a late update).
     */
    public Optional<Job> advance(String jobId, UnaryOperator<Job> change) {
        return find(jobId).flatMap(current -> {
            Job next = change.apply(current);
            if (!current.status().canMoveTo(next.status())) {
                return Optional.empty();
            }
            write(next);
            return Optional.of(next);
        });
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

    private void write(Job job) {
        try {
            objects.put(JobKeys.record(job.id()), mapper.writeValueAsBytes(job), JSON);
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
