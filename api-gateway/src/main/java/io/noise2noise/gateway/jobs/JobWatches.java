package io.noise2noise.gateway.jobs;

import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobStore;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Clients that follow a job instead of polling it. Two kinds:
 * <ul>
 *   <li>a {@code GET} with {@code Prefer: wait=N} waits through {@link JobCompletions} like a
 *       submission does; the answer, which reads storage, is then made on this component's threads,
 *       never on the results listener's;</li>
 *   <li>an event stream ({@code text/event-stream}) of the job's state and progress: every
 *       {@code event-interval} this component reads the record of each job someone follows (once,
 *       however many follow it) and sends an event when status or progress changed; the stream ends
 *       after the job's last state. Workers record progress in the job record, so any gateway
 *       replica can serve any stream.</li>
 * </ul>
 * Both hold no request thread, and both count against the waiter caps of {@link JobCompletions}.
 */
@Component
public class JobWatches {

    private static final Logger log = LoggerFactory.getLogger(JobWatches.class);

    private final JobStore jobs;
    private final JobCompletions completions;
    private final GatewayProperties.Waiters settings;
    private final AtomicInteger threads = new AtomicInteger();
    private final ScheduledExecutorService pool = Executors.newScheduledThreadPool(2, task -> {
        Thread thread = new Thread(task, "job-watch-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    /** One stream following a job, and what it was last sent. */
    private static final class Stream {
        final SseEmitter emitter;
        final JobCompletions.Waiter place;
        String lastSent;

        Stream(SseEmitter emitter, JobCompletions.Waiter place) {
            this.emitter = emitter;
            this.place = place;
        }
    }

    // guarded by itself
    private final Map<String, List<Stream>> streams = new HashMap<>();

    public JobWatches(JobStore jobs, JobCompletions completions, GatewayProperties properties) {
        this.jobs = jobs;
        this.completions = completions;
        this.settings = properties.waiters();
        long interval = settings.eventInterval().toMillis();
        pool.scheduleWithFixedDelay(this::sendChanges, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Where work that follows a job's end runs (it may read storage): not the listener's thread. */
    public Executor executor() {
        return pool;
    }

    /**
     * A stream of {@code job}'s states (each as {@code GET /v1/jobs/{id}} shows the job), or empty when {@code client} is
     * over a waiter cap. It starts with the job's state now and ends after its last one.
     */
    public Optional<SseEmitter> follow(Job job, String client) {
        Optional<JobCompletions.Waiter> place = completions.reserve(client);
        if (place.isEmpty()) {
            return Optional.empty();
        }
        SseEmitter emitter = new SseEmitter(settings.maxEventStream().toMillis());
        Stream stream = new Stream(emitter, place.get());
        Runnable end = () -> forget(job.id(), stream);
        emitter.onCompletion(end);
        emitter.onTimeout(end);
        emitter.onError(failure -> end.run());
        synchronized (streams) {
            streams.computeIfAbsent(job.id(), id -> new ArrayList<>()).add(stream);
        }
        pool.execute(() -> send(job, List.of(stream)));
        return Optional.of(emitter);
    }

    private void forget(String jobId, Stream stream) {
        stream.place.release();
        synchronized (streams) {
            List<Stream> following = streams.get(jobId);
            if (following != null && following.remove(stream) && following.isEmpty()) {
                streams.remove(jobId);
            }
        }
    }

    private void sendChanges() {
        Map<String, List<Stream>> now;
        synchronized (streams) {
            now = new HashMap<>();
            streams.forEach((id, following) -> now.put(id, new ArrayList<>(following)));
        }
        for (Map.Entry<String, List<Stream>> followed : now.entrySet()) {
            try {
                jobs.find(followed.getKey()).ifPresent(job -> send(job, followed.getValue()));
            } catch (RuntimeException e) {
                log.debug("job {}: record not readable for its event streams now: {}", followed.getKey(), e.toString());
            }
        }
    }

    private void send(Job job, List<Stream> following) {
        String state = job.status().wireName() + (job.progress() == null ? "" : " " + job.progress());
        for (Stream stream : following) {
            synchronized (stream) {
                if (Objects.equals(stream.lastSent, state)) {
                    continue;
                }
                try {
                    stream.emitter.send(SseEmitter.event()
                            .name(job.status().isTerminal() ? "end" : "state")
                            .id(state.replace(' ', '/'))
                            .data(JobView.of(job), MediaType.APPLICATION_JSON));
                    stream.lastSent = state;
                    if (job.status().isTerminal()) {
                        stream.emitter.complete();
                    }
                } catch (IOException | IllegalStateException e) {
                    stream.emitter.completeWithError(e); // the client went away
                }
            }
        }
    }

    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }
}
