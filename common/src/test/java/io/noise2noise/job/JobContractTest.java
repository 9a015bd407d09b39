package io.noise2noise.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobContractTest {

    @Test
    void statusesOnlyMoveForward() {
        assertThat(JobStatus.QUEUED.canMoveTo(JobStatus.RUNNING)).isTrue();
        assertThat(JobStatus.RUNNING.canMoveTo(JobStatus.SUCCEEDED)).isTrue();
        assertThat(JobStatus.QUEUED.canMoveTo(JobStatus.FAILED)).isTrue();
        assertThat(JobStatus.RUNNING.canMoveTo(JobStatus.RUNNING)).isTrue();
        assertThat(JobStatus.QUEUED.canMoveTo(JobStatus.QUEUED)).isFalse();
        assertThat(JobStatus.RUNNING.canMoveTo(JobStatus.QUEUED)).isFalse();
        assertThat(JobStatus.SUCCEEDED.canMoveTo(JobStatus.FAILED)).isFalse();
        assertThat(JobStatus.FAILED.canMoveTo(JobStatus.SUCCEEDED)).isFalse();
    }

    @Test
    void idsAreUnguessableAndKeysRefuseAnythingElse() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(JobIds.newId());
        }

        assertThat(ids).hasSize(1000).allMatch(JobIds::isWellFormed);
        assertThat(JobIds.isWellFormed("../../etc/passwd")).isFalse();
        assertThatThrownBy(() -> JobKeys.input("a/../b")).isInstanceOf(IllegalArgumentException.class);
        String id = ids.iterator().next();
        assertThat(JobKeys.input(id)).isEqualTo("jobs/" + id + "/input");
    }

    @Test
    void jobRecordRoundTripsAsJsonWithLowerCaseStatus() throws Exception {
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        Instant now = Instant.parse("2026-11-28T01:00:00Z");
        Job job = Job.queued(JobIds.newId(), "gaussian", 1.0, "png", 10, 20, null, now)
                .running(now).failed(new JobError(JobError.INVALID_IMAGE, "truncated"), now);

        String json = mapper.writeValueAsString(job);

        assertThat(json).contains("\"status\":\"failed\"").doesNotContain("webhook");
        assertThat(mapper.readValue(json, Job.class)).isEqualTo(job);
    }
}
