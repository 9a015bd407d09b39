package io.noise2noise.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.GetBucketLifecycleArgs;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.LifecycleRule;
import io.minio.messages.Status;
import io.noise2noise.testing.TestImages;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code n2n.storage.retention-days} on an S3 server that has lifecycle rules (MinIO, the
 * containers backend; S3Proxy keeps none, so with the local backend this test is skipped): the
 * gateway leaves its bucket with an expiry rule of that many days, read back from MinIO, and MinIO
 * applies it to the objects the gateway's clients write.
 */
class StorageRetentionTest {

    private static final String BUCKET = "n2n-it-retention";
    private static final int DAYS = 3;

    @Test
    void gatewayStartedWithRetentionDaysLeavesItsBucketWithAnExpiryRuleOfThatManyDays() throws Exception {
        Backend backend = Backend.get();
        Assumptions.assumeTrue(
                backend.hasLifecycleRules(),
                "the local backend's S3Proxy has no lifecycle rules: run with -Dn2n.it.backend=containers (MinIO)");
        MinioClient minio = MinioClient.builder()
                .endpoint(backend.s3Endpoint())
                .credentials(backend.accessKey(), backend.secretKey())
                .build();

        try (ConfigurableApplicationContext gateway = Pipeline.gateway(
                Map.of("n2n.storage.bucket", BUCKET, "n2n.storage.retention-days", String.valueOf(DAYS)))) {
            LifecycleConfiguration lifecycle = minio.getBucketLifecycle(
                    GetBucketLifecycleArgs.builder().bucket(BUCKET).build());

            assertThat(lifecycle)
                    .as("lifecycle configuration of bucket %s", BUCKET)
                    .isNotNull();
            assertThat(lifecycle.rules())
                    .extracting(LifecycleRule::id)
                    .containsExactlyInAnyOrder("n2n-uploads", "n2n-retention");
            LifecycleRule rule = lifecycle.rules().stream()
                    .filter(r -> r.id().equals("n2n-retention"))
                    .findFirst()
                    .orElseThrow();
            LifecycleRule uploads = lifecycle.rules().stream()
                    .filter(r -> r.id().equals("n2n-uploads"))
                    .findFirst()
                    .orElseThrow();
            assertThat(uploads.expiration().days()).isEqualTo(1);
            assertThat(uploads.filter().prefix()).isEqualTo("uploads/");
            assertThat(rule.status()).isEqualTo(Status.ENABLED);
            assertThat(rule.expiration().days()).isEqualTo(DAYS);
            assertThat(rule.filter().prefix())
                    .as("the rule covers the whole bucket")
                    .isEmpty();

            // an object a client uploads through the gateway's presigned URL carries the earlier of both: the uploads
            // rule
            String baseUrl = Pipeline.baseUrl(gateway);
            HttpJson.Response slot = HttpJson.post(baseUrl + "/v1/uploads", Map.of());
            assertThat(slot.status()).isEqualTo(201);
            HttpJson.Response put = HttpJson.send(HttpRequest.newBuilder(
                            URI.create(slot.body().get("url").asText()))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(TestImages.encode(TestImages.scene(16, 16, 1), "png")))
                    .build());
            assertThat(put.status()).isEqualTo(200);
            ZonedDateTime written = ZonedDateTime.now();
            String expiration = minio.statObject(StatObjectArgs.builder()
                            .bucket(BUCKET)
                            .object("uploads/" + slot.body().get("upload_id").asText())
                            .build())
                    .headers()
                    .get("x-amz-expiration");

            assertThat(expiration)
                    .as("x-amz-expiration of the uploaded object")
                    .isNotNull()
                    .contains("rule-id=\"n2n-uploads\"");
            Matcher date = Pattern.compile("expiry-date=\"([^\"]+)\"").matcher(expiration);
            assertThat(date.find()).as(expiration).isTrue();
            ZonedDateTime expires = ZonedDateTime.parse(date.group(1), DateTimeFormatter.RFC_1123_DATE_TIME);
            // S3 semantics: the midnight (UTC) after written + 1 day
            assertThat(expires)
                    .isAfter(written.plusDays(1).minusMinutes(1))
                    .isBefore(written.plusDays(2).plus(Duration.ofMinutes(1)));
        }
    }
}
