package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobViewTest {

    private static Job queued(Instant deadline) {
        JobSpec spec = new JobSpec(null, 1.0, null, null, null, null, deadline, null, null);
        return Job.queued("j1", spec, "png", 64, 48, Instant.now().minus(Duration.ofMinutes(1)));
    }

    @Test
    void aQueuedJobPastItsDeadlineShowsAsExpiredWithItsReasonBeforeAWorkerRecordsIt() {
        Instant deadline = Instant.now().minusSeconds(5);

        JobView view = JobView.of(queued(deadline), null);

        assertThat(view.status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(view.error().code()).isEqualTo(JobError.EXPIRED);
        assertThat(view.completedAt()).isEqualTo(deadline);
        assertThat(view.startedAt()).isNull();
        assertThat(view.resultUrl()).isNull();
    }

    @Test
    void aQueuedJobBeforeItsDeadlineStaysQueued() {
        JobView view = JobView.of(queued(Instant.now().plusSeconds(60)), null);

        assertThat(view.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(view.error()).isNull();
        assertThat(view.completedAt()).isNull();
    }
}
