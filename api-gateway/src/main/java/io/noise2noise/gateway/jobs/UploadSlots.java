package io.noise2noise.gateway.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.StorageUnavailableException;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Presigned uploads bound to the caller that asked for them. Each has a slot in the bucket
 * ({@link JobKeys#uploadSlot}: owner, expiry) next to the file, under its owner's prefix: another
 * caller's {@code upload_id} is found nowhere, like an unknown one. A slot lasts one URL lifetime
 * past the URL (time to finish the PUT and submit); a sweep deletes expired slots with their
 * unsubmitted files, and counts against {@link GatewayProperties.Quotas#maxOpenUploads}.
 */
@Service
public class UploadSlots {

    private static final Logger log = LoggerFactory.getLogger(UploadSlots.class);
    private static final String JSON = "application/json";

    private final ObjectStore objects;
    private final ObjectMapper mapper;
    private final Duration urlTtl;
    private final GatewayProperties.Quotas quotas;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "upload-slots-sweep");
        thread.setDaemon(true);
        return thread;
    });

    public UploadSlots(ObjectStore objects, ObjectMapper mapper, GatewayProperties properties) {
        this.objects = objects;
        this.mapper = mapper;
        this.urlTtl = properties.presignedUrlTtl();
        this.quotas = properties.quotas();
        long interval = quotas.uploadSweepInterval().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** What the slot object holds. */
    record Slot(String owner, Instant expiresAt) {}

    /** A new upload: its id, where to PUT it and until when. */
    public record Opened(String uploadId, URI url, Instant urlExpiresAt) {}

    /** Opens an upload slot for {@code owner} (null: anonymous), within its quota of open uploads. */
    public Opened open(String owner) {
        // expired slots count until the sweep deletes them: only a caller at its bound waits for no sweep
        if (QuotaCount.reached(
                objects.list(JobKeys.uploadSlots(owner)), quotas.maxOpenUploads(), this::deleteIfExpired)) {
            throw new RequestRefusedException(
                    Reason.QUOTA_REACHED,
                    "the caller has "
                            + quotas.maxOpenUploads()
                            + " open uploads (n2n.gateway.quotas.max-open-uploads); submit or let "
                            + "them expire first",
                    quotas.retryAfter());
        }
        String uploadId = JobIds.newId();
        Instant now = clock.instant();
        try {
            objects.put(
                    JobKeys.uploadSlot(owner, uploadId),
                    mapper.writeValueAsBytes(new Slot(owner, now.plus(urlTtl).plus(urlTtl))),
                    JSON);
        } catch (IOException e) {
            throw new IllegalStateException("upload slot not serializable", e);
        }
        return new Opened(uploadId, objects.presignedPut(JobKeys.upload(uploadId), urlTtl), now.plus(urlTtl));
    }

    /** True when {@code owner} opened this upload and its slot has not expired. */
    public boolean isOpen(String owner, String uploadId) {
        return read(JobKeys.uploadSlot(owner, uploadId))
                .filter(slot -> clock.instant().isBefore(slot.expiresAt()))
                .isPresent();
    }

    /** Deletes the upload and its slot: it became a job's input, or was refused. */
    public void close(String owner, String uploadId) {
        objects.delete(JobKeys.upload(uploadId));
        objects.delete(JobKeys.uploadSlot(owner, uploadId));
    }

    /** Deletes every expired slot and its unsubmitted upload. */
    void sweep() {
        try {
            int deleted = 0;
            for (String key : objects.list(JobKeys.allUploadSlots())) {
                deleted += deleteIfExpired(key) ? 1 : 0;
            }
            if (deleted > 0) {
                log.info("deleted {} expired upload slots and their unsubmitted uploads", deleted);
            }
        } catch (StorageUnavailableException e) {
            log.warn("sweep of expired upload slots failed, trying again later: {}", e.getMessage());
        }
    }

    /** True when the slot at {@code key} was expired (or unreadable) and is deleted, with its upload. */
    private boolean deleteIfExpired(String key) {
        Optional<Slot> slot = read(key);
        if (slot.isPresent() && clock.instant().isBefore(slot.get().expiresAt())) {
            return false;
        }
        objects.delete(JobKeys.upload(JobKeys.idOf(key)));
        objects.delete(key);
        return true;
    }

    private Optional<Slot> read(String key) {
        return objects.get(key).flatMap(object -> {
            try {
                return Optional.of(mapper.readValue(object.data(), Slot.class));
            } catch (IOException e) {
                log.warn("upload slot {} is not readable, treating it as expired: {}", key, e.getMessage());
                return Optional.empty();
            }
        });
    }

    @PreDestroy
    void stop() {
        sweeper.shutdownNow();
    }
}
