package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.RequestRefusedException;
import io.noise2noise.gateway.RequestRefusedException.Reason;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * A caller's jobs, newest first, a page at a time: read from the caller's index in the bucket
 * ({@link JobKeys#ownerJob}), whose keys S3 lists in that order, so a page is one LIST from the
 * page token on, plus a read of each job's record. The token is the last index key the page read
 * (opaque to clients, base64url), checked to lie in the caller's own index.
 * <p>
 * {@code created_after} ends the listing at the first older entry; a {@code status} filter needs
 * each record, so a request reads at most {@value #MAX_ENTRIES_READ} entries and, when that ends
 * it, answers a short page with a token to go on from. Entries whose record is gone (deleted,
 * expired by the retention rule) or names another job are skipped and removed.
 */
@Service
public class JobListing {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;
    /** The most index entries (and records) one request reads: bounds a page of a rare status. */
    static final int MAX_ENTRIES_READ = 300;

    private final ObjectStore objects;
    private final JobStore jobs;
    private final Clock clock = Clock.systemUTC();

    public JobListing(ObjectStore objects, JobStore jobs) {
        this.objects = objects;
        this.jobs = jobs;
    }

    /**
     * @param status        only jobs in this state (as {@code GET /v1/jobs/{id}} shows it), or null for all
     * @param createdAfter  only jobs created after this, or null for all
     * @param pageToken     where the previous page ended, or null for the first page
     */
    public record Query(String owner, JobStatus status, Instant createdAfter, String pageToken, int limit) {}

    /** @param nextPageToken where the next page starts; null when there is none */
    public record Page(List<Job> jobs, String nextPageToken) {}

    public Page list(Query query) {
        if (query.limit() < 1 || query.limit() > MAX_LIMIT) {
            throw new RequestRefusedException(Reason.INVALID_PARAMETER, "limit must be between 1 and " + MAX_LIMIT);
        }
        String index = JobKeys.ownerJobs(query.owner());
        String cursor = query.pageToken() == null ? null : cursor(index, query.pageToken());
        Instant now = clock.instant();
        List<Job> page = new ArrayList<>();
        int read = 0;
        while (read < MAX_ENTRIES_READ) {
            // unfiltered, nearly every entry makes the page; filtered, a longer listing saves requests
            int batch = Math.min(
                    MAX_ENTRIES_READ - read, query.status() == null ? query.limit() - page.size() : MAX_ENTRIES_READ);
            List<String> keys = objects.list(index, cursor, batch);
            for (String key : keys) {
                read++;
                cursor = key;
                Optional<JobKeys.OwnerJob> entry = JobKeys.ownerJobOf(query.owner(), key);
                if (entry.isPresent() && isOlder(entry.get(), query.createdAfter())) {
                    return new Page(page, null);
                }
                Optional<Job> job = entry.flatMap(named -> indexed(query.owner(), named));
                if (job.isEmpty()) {
                    objects.delete(key);
                } else if (matches(job.get().asOf(now), query)) {
                    page.add(job.get());
                    if (page.size() == query.limit()) {
                        return new Page(page, token(cursor));
                    }
                }
            }
            if (keys.size() < batch) {
                return new Page(page, null);
            }
        }
        return new Page(page, token(cursor));
    }

    /** The entry's job, when its record is there and is the job the entry names. */
    private Optional<Job> indexed(String owner, JobKeys.OwnerJob entry) {
        return jobs.find(entry.jobId())
                .filter(job -> Objects.equals(job.spec().owner(), owner)
                        && job.createdAt().toEpochMilli() == entry.createdAt().toEpochMilli());
    }

    /** Created at or before {@code createdAfter}, as are all entries after it (the index counts milliseconds). */
    private static boolean isOlder(JobKeys.OwnerJob entry, Instant createdAfter) {
        return createdAfter != null && !entry.createdAt().plusMillis(1).isAfter(createdAfter);
    }

    private static boolean matches(Job job, Query query) {
        return (query.status() == null || job.status() == query.status())
                && (query.createdAfter() == null || job.createdAt().isAfter(query.createdAfter()));
    }

    private static String token(String indexKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(indexKey.getBytes(StandardCharsets.UTF_8));
    }

    private static String cursor(String index, String token) {
        String key;
        try {
            key = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            key = "";
        }
        if (!key.startsWith(index)) {
            throw new RequestRefusedException(Reason.INVALID_PARAMETER, "page_token is not valid");
        }
        return key;
    }
}
