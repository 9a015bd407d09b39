package io.noise2noise.client;

import java.time.Instant;

/**
 * Which of the caller's jobs {@link Noise2NoiseClient#listJobs(JobQuery)} reads; null members are not sent.
 *
 * @param status        only jobs showing this status
 * @param createdAfter  only jobs created after this instant (exclusive)
 * @param limit         jobs per page, 1–100 (the gateway's default: 20)
 * @param pageToken     the previous page's {@link JobPage#nextPageToken()}
 */
public record JobQuery(JobStatus status, Instant createdAfter, Integer limit, String pageToken) {

    /** Every job, a page of the gateway's default size at a time. */
    public static JobQuery all() {
        return new JobQuery(null, null, null, null);
    }

    public JobQuery withStatus(JobStatus value) {
        return new JobQuery(value, createdAfter, limit, pageToken);
    }

    public JobQuery withCreatedAfter(Instant value) {
        return new JobQuery(status, value, limit, pageToken);
    }

    public JobQuery withLimit(Integer value) {
        return new JobQuery(status, createdAfter, value, pageToken);
    }

    public JobQuery withPageToken(String value) {
        return new JobQuery(status, createdAfter, limit, value);
    }
}
