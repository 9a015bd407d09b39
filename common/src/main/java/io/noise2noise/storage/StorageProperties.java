package io.noise2noise.storage;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where the S3-compatible server is and which bucket holds the jobs.
 *
 * @param publicEndpoint  the address clients use for presigned URLs (the signature covers the host),
 *                        when it differs from {@code endpoint}; defaults to {@code endpoint}
 * @param region          the bucket's region; set it to sign URLs without asking the server
 * @param retentionDays   inputs, results and job records expire after this many days (an S3
 *                        lifecycle rule set at start-up); 0 keeps them forever; unset, {@value #DEFAULT_RETENTION_DAYS}
 * @param maxConnections  S3 requests one process runs at once (and idle connections it keeps);
 *                        more wait for a free one
 */
@Validated
@ConfigurationProperties("n2n.storage")
public record StorageProperties(
        @NotNull URI endpoint,
        URI publicEndpoint,
        @NotBlank String accessKey,
        @NotBlank String secretKey,
        @NotBlank String bucket,
        String region,
        boolean createBucket,
        @Min(0) Integer retentionDays,
        @Min(1) Integer maxConnections) {

    /** A week: long enough to fetch a result, short enough that nobody's images are kept for good. */
    public static final int DEFAULT_RETENTION_DAYS = 7;

    public StorageProperties {
        retentionDays = retentionDays == null ? DEFAULT_RETENTION_DAYS : retentionDays;
        publicEndpoint = publicEndpoint == null ? endpoint : publicEndpoint;
        maxConnections = maxConnections == null ? 64 : maxConnections;
        region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    public Duration retention() {
        return Duration.ofDays(retentionDays);
    }
}
