package io.noise2noise.gateway.jobs;

import static io.noise2noise.gateway.jobs.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.testing.TestImages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** A caller's jobs, newest first, a page at a time, from the index in the in-memory bucket. */
class JobListingTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.000Z");

    private final GatewayServices gateway = GatewayServices.withSettings(Map.of());

    @AfterEach
    void close() {
        gateway.close();
    }

    /** A job created {@code seconds} after T0, stored as a submission stores it (record, then index entry). */
    private Job stored(String owner, int seconds) {
        Job job = Job.queued(
                JobIds.newId(),
                new JobSpec(null, 1.0, null, null, null, null, null, null, owner),
                "png",
                8,
                8,
                T0.plusSeconds(seconds).plusNanos(123_456));
        gateway.jobs.create(job);
        return job;
    }

    private JobListing.Page list(String owner, JobStatus status, Instant createdAfter, String token, int limit) {
        return gateway.listing.list(new JobListing.Query(owner, status, createdAfter, token, limit));
    }

    private static List<String> ids(JobListing.Page page) {
        return page.jobs().stream().map(Job::id).toList();
    }

    @Test
    void listsOnlyTheCallersJobsNewestFirstAcrossPages() {
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            newestFirst.add(0, stored("team-a", i).id());
        }
        Job others = stored("team-b", 10);
        Job anonymous = stored(null, 11);

        JobListing.Page first = list("team-a", null, null, null, 2);
        JobListing.Page second = list("team-a", null, null, first.nextPageToken(), 2);
        JobListing.Page third = list("team-a", null, null, second.nextPageToken(), 2);

        assertThat(ids(first)).containsExactlyElementsOf(newestFirst.subList(0, 2));
        assertThat(ids(second)).containsExactlyElementsOf(newestFirst.subList(2, 4));
        assertThat(ids(third)).containsExactlyElementsOf(newestFirst.subList(4, 5));
        assertThat(third.nextPageToken()).isNull();
        assertThat(ids(list("team-b", null, null, null, 20))).containsExactly(others.id());
        assertThat(ids(list(null, null, null, null, 20))).containsExactly(anonymous.id());
        assertThat(list("team-c", null, null, null, 20)).isEqualTo(new JobListing.Page(List.of(), null));
    }

    @Test
    void aSubmittedJobIsListedAsStored() {
        Job submitted = gateway.submissions.submit(new JobSubmissions.Submission(
                TestImages.encode(TestImages.scene(16, 12, 1), "png"),
                new JobSpec(null, 1.0, null, null, null, null, null, null, "team-a"),
                null));

        assertThat(list("team-a", null, null, null, 20).jobs()).containsExactly(submitted);
        assertThat(gateway.objects.exists(JobStore.indexEntry(submitted))).isTrue();
    }

    @Test
    void aPageTokenOnlyGoesOnInTheIndexOfTheCallerItWasGivenTo() {
        stored("team-a", 0);
        stored("team-a", 1);
        String token = list("team-a", null, null, null, 1).nextPageToken();

        assertThat(token).isNotNull();
        assertThat(refusal(() -> list("team-b", null, null, token, 1))).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> list(null, null, null, token, 1))).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> list("team-a", null, null, "not base64!", 1)))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> list("team-a", null, null, null, 0))).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refusal(() -> list("team-a", null, null, null, JobListing.MAX_LIMIT + 1)))
                .isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
    }

    @Test
    void filtersByStatusAsTheJobShowsAndByCreationTime() {
        Job queued = stored("team-a", 0);
        Job failed = gateway.jobs
                .advance(
                        stored("team-a", 1).id(),
                        job -> job.failed(new JobError(JobError.PROCESSING_FAILED, "boom"), T0.plusSeconds(2)))
                .orElseThrow();
        Job running = gateway.jobs
                .advance(stored("team-a", 2).id(), job -> job.running(T0.plusSeconds(3)))
                .orElseThrow();
        Job expiring = Job.queued(
                JobIds.newId(),
                new JobSpec(null, 1.0, null, null, null, null, Instant.now().minusSeconds(1), null, "team-a"),
                "png",
                8,
                8,
                T0.plusSeconds(3));
        gateway.jobs.create(expiring);

        assertThat(ids(list("team-a", JobStatus.QUEUED, null, null, 20))).containsExactly(queued.id());
        assertThat(ids(list("team-a", JobStatus.EXPIRED, null, null, 20))).containsExactly(expiring.id());
        assertThat(ids(list("team-a", JobStatus.FAILED, null, null, 20))).containsExactly(failed.id());
        assertThat(ids(list("team-a", null, T0.plusSeconds(1).plusNanos(123_456), null, 20)))
                .containsExactly(expiring.id(), running.id());
        assertThat(ids(list("team-a", null, T0.plusSeconds(1), null, 20)))
                .containsExactly(expiring.id(), running.id(), failed.id());
        assertThat(ids(list("team-a", JobStatus.RUNNING, T0.minusSeconds(1), null, 20)))
                .containsExactly(running.id());
        assertThat(list("team-a", null, T0.plusSeconds(4), null, 20).jobs()).isEmpty();
    }

    @Test
    void entriesWhoseRecordIsGoneAreSkippedAndRemoved() {
        Job kept = stored("team-a", 0);
        Job expired = stored("team-a", 1);
        gateway.objects.delete(JobKeys.record(expired.id()));

        assertThat(ids(list("team-a", null, null, null, 20))).containsExactly(kept.id());
        assertThat(gateway.objects.exists(JobStore.indexEntry(expired))).isFalse();
        assertThat(gateway.objects.exists(JobStore.indexEntry(kept))).isTrue();
    }

    @Test
    void aRareStatusIsSearchedForAtMostABoundedNumberOfEntriesPerRequest() {
        Job canceled = gateway.jobs
                .advance(stored("team-a", 0).id(), job -> job.canceled("by request", T0.plusSeconds(1)))
                .orElseThrow();
        for (int i = 1; i <= JobListing.MAX_ENTRIES_READ; i++) {
            stored("team-a", i);
        }

        JobListing.Page first = list("team-a", JobStatus.CANCELED, null, null, 20);
        JobListing.Page second = list("team-a", JobStatus.CANCELED, null, first.nextPageToken(), 20);

        assertThat(first.jobs()).isEmpty();
        assertThat(first.nextPageToken()).isNotNull();
        assertThat(ids(second)).containsExactly(canceled.id());
        assertThat(second.nextPageToken()).isNull();
    }
}
