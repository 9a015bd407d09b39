package io.noise2noise.storage;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Where the S3-compatible server is and which bucket holds the jobs. */
@Validated
@ConfigurationProperties("n2n.storage")
public record StorageProperties(
        @NotNull URI endpoint,
        @NotBlank String accessKey,
        @NotBlank String secretKey,
        @NotBlank String bucket,
        String region,
        boolean createBucket) {
}
