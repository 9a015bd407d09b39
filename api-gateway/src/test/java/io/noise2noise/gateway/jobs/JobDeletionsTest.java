package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.WebhookEvent;
import io.noise2noise.testing.TestImages;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deleting jobs in every state, over the in-memory store and a recording producer. */
class JobDeletionsTest {

    private static final byte[] PNG = TestImages.encode(TestImages.scene(16, 12, 1), "png");
    private static final String JSON = "application/json";

    private final GatewayServices gateway = GatewayServices.withSettings(Map.of());

    @AfterEach
    void close() {
        gateway.close();
    }

    private Job submitted() {
        return gateway.submissions.submit(new JobSubmissions.Submission(
                PNG, new JobSpec(null, 1.0, null, null, null, null, null, null, "team-a"), null));
    }

    private JobStore.Versioned started(Job job) {
        JobStore.Versioned queued = gateway.jobs.findVersioned(job.id()).orElseThrow();
        return gateway.jobs
                .advance(queued, current -> current.running(Instant.now()))
                .orElseThrow();
    }

    private void assertGone(Job job) {
        assertThat(gateway.jobs.find(job.id())).isEmpty();
        assertThat(gateway.objects.list(JobKeys.jobObjects(job.id()))).isEmpty();
        assertThat(gateway.objects.exists(JobStore.indexEntry(job))).isFalse();
        assertThat(gateway.objects.exists(JobKeys.unfinishedJob("team-a", job.id())))
                .isFalse();
        assertThat(gateway.listing
                        .list(new JobListing.Query("team-a", null, null, null, 20))
                        .jobs())
                .isEmpty();
    }

    @Test
    void aFinishedJobIsRemovedWithEverythingItStored() {
        Job job = submitted();
        JobStore.Versioned running = started(job);
        String result = JobKeys.result(job.id(), 1);
        gateway.objects.put(result, PNG, "image/png");
        gateway.objects.put(JobKeys.webhookDeliveries(job.id(), WebhookEvent.COMPLETED), "{}".getBytes(), JSON);
        gateway.jobs
                .advance(running, current -> current.succeeded(result, "image/png", 3.0, Instant.now()))
                .orElseThrow();
        gateway.broker.clear();

        gateway.deletions.delete(gateway.jobs.find(job.id()).orElseThrow());

        assertGone(job);
        assertThat(gateway.publishedEvents()).isEmpty();
    }

    @Test
    void aQueuedJobIsCanceledThenRemoved() {
        Job job = submitted();

        gateway.deletions.delete(job);

        assertThat(gateway.publishedEvents()).singleElement().satisfies(ended -> {
            assertThat(ended.id()).isEqualTo(job.id());
            assertThat(ended.status()).isEqualTo(JobStatus.CANCELED);
        });
        assertGone(job);
    }

    /**
     * The worker still runs the job: its end is published as canceled, and what the worker writes
     * afterwards (progress, its end) is refused, as each of its writes is conditional on the record.
     */
    @Test
    void aRunningJobEndsCanceledAndItsWorkersLaterWritesFindNothing() {
        Job job = submitted();
        JobStore.Versioned running = started(job);

        gateway.deletions.delete(running.job());

        assertThat(gateway.publishedEvents()).singleElement().satisfies(ended -> {
            assertThat(ended.status()).isEqualTo(JobStatus.CANCELED);
            assertThat(ended.error().code()).isEqualTo(JobError.CANCELED);
        });
        assertGone(job);
        assertThat(gateway.jobs.advance(running, current -> current.withProgress("gaussian", 1, 4)))
                .isEmpty();
        assertThat(gateway.jobs.advance(
                        running,
                        current -> current.succeeded(JobKeys.result(job.id(), 1), "image/png", 3.0, Instant.now())))
                .isEmpty();
        assertThat(gateway.objects.list(JobKeys.jobObjects(job.id()))).isEmpty();
    }

    /** A worker that ended the job between the client's read and the delete keeps its end; it is removed all the same. */
    @Test
    void aJobThatEndedSinceItWasReadIsRemovedAsItEnded() {
        Job job = submitted();
        JobStore.Versioned running = started(job);
        gateway.jobs
                .advance(
                        running,
                        current -> current.failed(new JobError(JobError.PROCESSING_FAILED, "boom"), Instant.now()))
                .orElseThrow();
        gateway.broker.clear();

        gateway.deletions.delete(running.job());

        assertThat(gateway.publishedEvents()).isEmpty();
        assertGone(job);
    }
}
