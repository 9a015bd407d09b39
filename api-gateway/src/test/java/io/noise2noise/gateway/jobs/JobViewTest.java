package io.noise2noise.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
    void aJobTheWorkerChoseTheModelForShowsTheModelAndWhy() throws Exception {
        Job running = queued(null).running(Instant.now()).withProgress("impulse", "auto: impulse — outliers", 1, 4);

        String json = new ObjectMapper().findAndRegisterModules().writeValueAsString(JobView.of(running, null));

        assertThat(json).contains("\"model_used\":\"impulse\"", "\"model_reason\":\"auto: impulse — outliers\"");
        assertThat(JobView.of(queued(null).running(Instant.now()).withProgress("text", 1, 4), null)
                        .modelReason())
                .isNull();
    }

    @Test
    void aQueuedJobBeforeItsDeadlineStaysQueued() {
        JobView view = JobView.of(queued(Instant.now().plusSeconds(60)), null);

        assertThat(view.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(view.error()).isNull();
        assertThat(view.completedAt()).isNull();
    }
}
