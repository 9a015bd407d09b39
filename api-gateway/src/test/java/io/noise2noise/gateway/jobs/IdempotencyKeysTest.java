package io.noise2noise.gateway.jobs;

import static io.noise2noise.gateway.jobs.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobSpec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** Claims of Idempotency-Keys in the in-memory bucket: one job per key and request, whoever asks first. */
class IdempotencyKeysTest {

    private final GatewayServices gateway = GatewayServices.withSettings(Map.of());
    private final IdempotencyKeys keys = gateway.idempotencyKeys;

    @AfterEach
    void close() {
        gateway.close();
    }

    private static JobSubmissions.Submission request(String owner, String key, String image) {
        return new JobSubmissions.Submission(
                image.getBytes(StandardCharsets.UTF_8),
                new JobSpec(null, 1.0, null, null, null, null, null, null, owner),
                key);
    }

    @Test
    void withoutAKeyEveryRequestIsNewAndNothingIsStored() {
        IdempotencyKeys.Claim claim = keys.claim(request(null, null, "image"), "job-1");

        assertThat(claim).isEqualTo(new IdempotencyKeys.Claim("job-1", false));
        assertThat(gateway.objects.list("")).isEmpty();
    }

    @Test
    void aConfirmedKeyAnswersTheSameRequestWithItsJob() {
        String jobId = JobIds.newId();
        assertThat(keys.claim(request("team-a", "k", "image"), jobId).earlier()).isFalse();
        keys.confirm(request("team-a", "k", "image"), jobId);

        assertThat(keys.claim(request("team-a", "k", "image"), JobIds.newId()))
                .isEqualTo(new IdempotencyKeys.Claim(jobId, true));
    }

    @Test
    void theSameKeyWithAnotherRequestIsRefusedButAnotherOwnersKeyIsItsOwn() {
        String jobId = JobIds.newId();
        keys.claim(request("team-a", "k", "image"), jobId);
        keys.confirm(request("team-a", "k", "image"), jobId);

        assertThat(refusal(() -> keys.claim(request("team-a", "k", "another image"), JobIds.newId())))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        String otherJob = JobIds.newId();
        assertThat(keys.claim(request("team-b", "k", "another image"), otherJob))
                .isEqualTo(new IdempotencyKeys.Claim(otherJob, false));
    }

    @Test
    void aReleasedKeyIsFreeForTheNextIdenticalRequest() {
        String failed = JobIds.newId();
        keys.claim(request(null, "k", "image"), failed);
        keys.release(request(null, "k", "image"), failed);

        String next = JobIds.newId();
        assertThat(keys.claim(request(null, "k", "image"), next)).isEqualTo(new IdempotencyKeys.Claim(next, false));
    }

    @Test
    void releaseLeavesAClaimThatIsNotItsOwn() {
        String holder = JobIds.newId();
        keys.claim(request(null, "k", "image"), holder);

        keys.release(request(null, "k", "image"), JobIds.newId());
        keys.confirm(request(null, "k", "image"), holder);

        assertThat(keys.claim(request(null, "k", "image"), JobIds.newId()))
                .isEqualTo(new IdempotencyKeys.Claim(holder, true));
    }

    /** An identical request arriving while the first is still creating its job waits for it, then shares it. */
    @Test
    void aRequestWaitsForAPendingClaimAndAnswersWithItsJob() throws Exception {
        String first = JobIds.newId();
        keys.claim(request(null, "k", "image"), first);

        CompletableFuture<IdempotencyKeys.Claim> second =
                CompletableFuture.supplyAsync(() -> keys.claim(request(null, "k", "image"), JobIds.newId()));
        Thread.sleep(200);
        assertThat(second).as("waits while the claim is pending").isNotDone();
        keys.confirm(request(null, "k", "image"), first);

        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(new IdempotencyKeys.Claim(first, true));
    }
}
