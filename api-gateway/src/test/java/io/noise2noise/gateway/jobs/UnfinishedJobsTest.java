package io.noise2noise.gateway.jobs;

import static io.noise2noise.gateway.jobs.Refusals.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobIds;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.InMemoryObjectStore;
import io.noise2noise.storage.StorageUnavailableException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** How submissions count a caller's unfinished jobs: one recount at a time far from the bound, a listing each near it. */
class UnfinishedJobsTest {

    private final ListingStore objects = new ListingStore();
    private final JobStore jobs = new JobStore(objects, GatewayServices.mapper());
    private final ExecutorService submitters = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        objects.release.countDown();
        submitters.shutdownNow();
    }

    private UnfinishedJobs unfinishedJobs(int bound) {
        return unfinishedJobs(bound, "1h");
    }

    private UnfinishedJobs unfinishedJobs(int bound, String recountInterval) {
        return new UnfinishedJobs(
                objects,
                jobs,
                JobTopics.defaults(),
                GatewayServices.properties(Map.of(
                        "n2n.gateway.quotas.max-unfinished-jobs",
                        bound,
                        "n2n.gateway.quotas.recount-interval",
                        recountInterval)));
    }

    /** A queued job of team-a's, stored as the gateway stores it before reserving its place. */
    private String queuedJob() {
        Job job = Job.queued(
                JobIds.newId(),
                new JobSpec(null, 1.0, null, null, null, null, null, null, "team-a"),
                "png",
                64,
                64,
                Instant.now());
        jobs.create(job);
        return job.id();
    }

    @Test
    void farBelowTheBoundOthersGoOnWhileOneSubmissionRecounts() throws Exception {
        UnfinishedJobs quota = unfinishedJobs(100);
        objects.blockListings();
        List<String> ids = List.of(queuedJob(), queuedJob(), queuedJob(), queuedJob());
        Future<?> recounting = submitters.submit(() -> quota.reserve("team-a", ids.get(0)));
        assertThat(objects.listingStarted.await(10, TimeUnit.SECONDS)).isTrue();

        for (String id : ids.subList(1, ids.size())) {
            submitters.submit(() -> quota.reserve("team-a", id)).get(10, TimeUnit.SECONDS);
        }
        assertThat(recounting).isNotDone();
        assertThat(objects.listings).hasValue(1);

        objects.release.countDown();
        recounting.get(10, TimeUnit.SECONDS);
        assertThat(objects.listings).hasValue(1);
        assertThat(ids)
                .allSatisfy(id -> assertThat(objects.exists(JobKeys.unfinishedJob("team-a", id)))
                        .isTrue());
    }

    @Test
    void laterRecountsRunInTheBackgroundAndListNoMoreThanHalfTheBound() throws Exception {
        UnfinishedJobs quota = unfinishedJobs(100, "1ms");
        quota.reserve("team-a", queuedJob());
        assertThat(objects.listings).hasValue(1);
        assertThat(objects.recountsDone).hasValue(1);
        objects.blockListings();
        Thread.sleep(5);

        // the interval ran out: the next submissions go on while one recount waits on its LIST
        for (int i = 0; i < 3; i++) {
            submitters.submit(() -> quota.reserve("team-a", queuedJob())).get(10, TimeUnit.SECONDS);
        }
        assertThat(objects.listingStarted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(objects.listings).hasValue(2);
        assertThat(objects.limits).containsOnly(50);

        objects.release.countDown();
        // the first count and the background one
        for (int i = 0; i < 100 && objects.recountsDone.get() < 2; i++) {
            Thread.sleep(20);
        }
        assertThat(objects.recountsDone).hasValue(2);
    }

    @Test
    void aRecountThatFailedIsTriedByTheNextSubmission() {
        UnfinishedJobs quota = unfinishedJobs(100);
        objects.setUnavailable(true);
        assertThatThrownBy(() -> quota.reserve("team-a", JobIds.newId()))
                .isInstanceOf(StorageUnavailableException.class);
        objects.setUnavailable(false);

        quota.reserve("team-a", queuedJob());
        assertThat(objects.listings).hasValue(2);
        quota.reserve("team-a", queuedJob());
        assertThat(objects.listings).hasValue(2);
    }

    @Test
    void fromHalfTheBoundEverySubmissionListsAndTheBoundHolds() {
        UnfinishedJobs quota = unfinishedJobs(4);
        quota.reserve("team-a", queuedJob());
        quota.reserve("team-a", queuedJob());
        assertThat(objects.listings).hasValue(1);

        quota.reserve("team-a", queuedJob());
        quota.reserve("team-a", queuedJob());
        assertThat(objects.listings).hasValue(3);
        assertThat(refusal(() -> quota.reserve("team-a", queuedJob()))).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(objects.listings).hasValue(4);
    }

    /** The in-memory store, counting listings; while blocked, a listing waits for {@link #release}. */
    private static final class ListingStore extends InMemoryObjectStore {
        final AtomicInteger listings = new AtomicInteger();
        final CountDownLatch listingStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private volatile boolean blocking;

        void blockListings() {
            blocking = true;
        }

        final List<Integer> limits = new CopyOnWriteArrayList<>();
        final AtomicInteger recountsDone = new AtomicInteger();

        @Override
        public List<String> list(String prefix) {
            counted();
            return super.list(prefix);
        }

        @Override
        public List<String> list(String prefix, String startAfter, int limit) {
            counted();
            limits.add(limit);
            List<String> keys = super.list(prefix, startAfter, limit);
            recountsDone.incrementAndGet();
            return keys;
        }

        private void counted() {
            listings.incrementAndGet();
            if (blocking) {
                listingStarted.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
