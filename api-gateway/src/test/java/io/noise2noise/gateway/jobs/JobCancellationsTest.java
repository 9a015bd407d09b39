package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Canceling jobs in every state, over the in-memory store and a recording producer. */
class JobCancellationsTest {

    private final GatewayServices gateway = GatewayServices.withSettings(Map.of());

    @AfterEach
    void close() {
        gateway.close();
    }

    private Job stored(Instant deadline) {
        Job job = Job.queued(
                JobIds.newId(),
                new JobSpec(null, 1.0, null, null, null, null, deadline, null, null),
                "png",
                8,
                8,
                Instant.now());
        gateway.jobs.create(job);
        return job;
    }

    private Job started(Job job) {
        return gateway.jobs
                .advance(job.id(), current -> current.running(Instant.now()))
                .orElseThrow();
    }

    @Test
    void aQueuedJobEndsCanceledAtOnceAndItsEndIsPublished() {
        Job queued = stored(null);

        JobCancellations.Outcome outcome = gateway.cancellations.cancel(queued);

        assertThat(outcome.stopped()).isTrue();
        assertThat(outcome.job().status()).isEqualTo(JobStatus.CANCELED);
        assertThat(outcome.job().error().code()).isEqualTo(JobError.CANCELED);
        assertThat(gateway.jobs.find(queued.id())).contains(outcome.job());
        assertThat(gateway.jobs.isCancelRequested(queued.id())).isTrue();
        assertThat(gateway.publishedEvents()).containsExactly(outcome.job());
    }

    @Test
    void aRunningJobIsOnlyAskedToStop() {
        Job running = started(stored(null));

        JobCancellations.Outcome outcome = gateway.cancellations.cancel(running);

        assertThat(outcome.stopped()).isFalse();
        assertThat(outcome.job()).isEqualTo(running);
        assertThat(gateway.jobs.isCancelRequested(running.id())).isTrue();
        assertThat(gateway.publishedEvents()).isEmpty();
    }

    /** The client read the job queued, but a worker started it before the cancel was written. */
    @Test
    void aJobStartedAfterItWasReadAnswersRunningAndIsAskedToStop() {
        Job readQueued = stored(null);
        Job running = started(readQueued);

        JobCancellations.Outcome outcome = gateway.cancellations.cancel(readQueued);

        assertThat(outcome.stopped()).isFalse();
        assertThat(outcome.job()).isEqualTo(running);
        assertThat(gateway.jobs.find(readQueued.id())).contains(running);
        assertThat(gateway.jobs.isCancelRequested(readQueued.id())).isTrue();
        assertThat(gateway.publishedEvents()).isEmpty();
    }

    @Test
    void aFinishedJobIsLeftAsItIs() {
        Job queued = stored(null);
        Job failed = gateway.jobs
                .advance(
                        queued.id(), job -> job.failed(new JobError(JobError.PROCESSING_FAILED, "boom"), Instant.now()))
                .orElseThrow();

        JobCancellations.Outcome outcome = gateway.cancellations.cancel(failed);

        assertThat(outcome).isEqualTo(new JobCancellations.Outcome(failed, true));
        assertThat(gateway.jobs.isCancelRequested(queued.id())).isFalse();
        assertThat(gateway.publishedEvents()).isEmpty();
    }

    @Test
    void aQueuedJobPastItsDeadlineAnswersExpiredAndIsNotWritten() {
        Job queued = stored(Instant.now().minusSeconds(1));

        JobCancellations.Outcome outcome = gateway.cancellations.cancel(queued);

        assertThat(outcome.stopped()).isTrue();
        assertThat(outcome.job().status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(gateway.jobs.find(queued.id())).contains(queued);
        assertThat(gateway.objects.exists(JobKeys.cancelRequest(queued.id()))).isFalse();
        assertThat(gateway.publishedEvents()).isEmpty();
    }
}
