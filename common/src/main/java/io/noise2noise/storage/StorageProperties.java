package io.noise2noise.storage;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the S3-compatible server is and which bucket holds the jobs.
 *
 * @param publicEndpoint  the address clients use for presigned URLs (the signature covers the host),
 *                        when it differs from {@code endpoint}; unset, {@code endpoint}
 * @param region          the bucket's region; set, URLs are signed without asking the server
 * @param retentionDays   inputs, results and job records expire after this many days (an S3
 *                        lifecycle rule set at start-up); 0 keeps them forever; a week by default, long
 *                        enough to fetch a result, short enough that nobody's images are kept for good
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
        @DefaultValue("us-east-1") @NotBlank String region,
        boolean createBucket,
        @DefaultValue("7") @Min(0) int retentionDays,
        @DefaultValue("64") @Min(1) int maxConnections) {

    /** Where clients reach the server: {@code endpoint} unless a public one is set. */
    @Override
    public URI publicEndpoint() {
        return publicEndpoint == null ? endpoint : publicEndpoint;
    }

    public Duration retention() {
        return Duration.ofDays(retentionDays);
    }
}
