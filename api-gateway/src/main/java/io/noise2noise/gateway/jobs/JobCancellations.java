package io.noise2noise.gateway.jobs;

import io.noise2noise.job.Job;
import io.noise2noise.job.JobEventPublisher;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import java.time.Clock;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Canceling a job: a queued one ends {@code canceled} at once (and its event is published); a
 * running one is only asked to stop, which its worker does at the next tile. Canceling a finished
 * job (or a queued one past its deadline: expired) changes nothing. The queued → canceled change is
 * conditional on the record read ({@link JobStore#advance}): when a worker's start wins the race, the
 * job answers running (202) and is stopped at its next tile, so a job that answered canceled never
 * ends otherwise.
 */
@Service
public class JobCancellations {

    private final JobStore jobs;
    private final JobEventPublisher events;
    private final Clock clock = Clock.systemUTC();

    public JobCancellations(JobStore jobs, JobEventPublisher events) {
        this.jobs = jobs;
        this.events = events;
    }

    /** @param stopped the job, now canceled or finished; {@code false} while its worker has yet to stop it */
    public record Outcome(Job job, boolean stopped) {}

    public Outcome cancel(Job stored) {
        Job job = stored.asOf(clock.instant());
        if (job.status().isTerminal()) {
            return new Outcome(job, true);
        }
        jobs.requestCancel(job.id());
        if (job.status() == JobStatus.QUEUED) {
            Optional<Job> canceled = jobs.advance(
                            job.id(),
                            current -> current.status() == JobStatus.QUEUED
                                    ? current.canceled("canceled by request before it started", clock.instant())
                                    : current)
                    // a worker may have started it in between: then it is stopped at its next tile
                    .filter(current -> current.status() == JobStatus.CANCELED);
            if (canceled.isPresent()) {
                events.publish(canceled.get());
                return new Outcome(canceled.get(), true);
            }
        }
        return new Outcome(jobs.find(job.id()).orElse(job), false);
    }
}
