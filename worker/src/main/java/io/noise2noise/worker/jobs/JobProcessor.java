package io.noise2noise.worker.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.noise2noise.image.EncodedImage;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.ImageInfo;
import io.noise2noise.image.InvalidImageException;
import io.noise2noise.image.OutputOptions;
import io.noise2noise.image.PixelImage;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobEventPublisher;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobSpec;
import io.noise2noise.job.JobStatus;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.storage.StorageUnavailableException;
import io.noise2noise.worker.inference.Denoiser;
import io.noise2noise.worker.inference.DenoisingModel;
import io.noise2noise.worker.inference.ModelRegistry;
import io.noise2noise.worker.inference.UnknownModelException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One job, start to end: mark running → read input → decode → denoise (checking for cancellation
 * and the deadline between tiles, recording progress) → encode → store result → mark succeeded,
 * publishing the record when the job starts and when it ends. Each start is a new attempt (a
 * conditional change of the record, {@link JobStore#advance}); only the attempt that started last may
 * record progress or end the job, and it stores its result under a key of its own, so a run that lost
 * the job (its message redelivered while it still ran) can neither end it nor change its result. A failure that retrying can heal
 * ({@link HealableFailures}: storage, broker, time-outs) propagates so the listener's error handler
 * retries the message; any other failure ends the job as failed at once, with a stable code and a
 * message fit for the client (the exception itself goes to the log). The input's size is checked
 * from a stat before a byte of it is read. A job that is already finished (a redelivery) is not run
 * again; its record is re-published instead, in case the first run died between storing and
 * publishing it.
 */
public class JobProcessor {

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);

    private final JobStore jobs;
    private final ObjectStore objects;
    private final ImageCodec codec;
    private final ModelRegistry models;
    private final Denoiser denoiser;
    private final JobEventPublisher results;
    private final MeterRegistry meters;
    private final Duration checkpointInterval;
    private final long maxInputBytes;
    private final Clock clock;

    /** {@code maxInputBytes}: the largest input read (n2n.images.max-upload-bytes; larger ones fail unread). */
    public JobProcessor(
            JobStore jobs,
            ObjectStore objects,
            ImageCodec codec,
            ModelRegistry models,
            Denoiser denoiser,
            JobEventPublisher results,
            MeterRegistry meters,
            Duration checkpointInterval,
            long maxInputBytes,
            Clock clock) {
        this.jobs = jobs;
        this.objects = objects;
        this.codec = codec;
        this.models = models;
        this.denoiser = denoiser;
        this.results = results;
        this.meters = meters;
        this.checkpointInterval = checkpointInterval;
        this.maxInputBytes = maxInputBytes;
        this.clock = clock;
    }

    public void process(JobRequested request) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("job.id", request.jobId())) {
            processJob(request);
        }
    }

    private void processJob(JobRequested request) {
        String id = request.jobId();
        Optional<JobStore.Versioned> stored = jobs.findVersioned(id);
        if (stored.isEmpty()) {
            log.warn("job {}: no record, dropping the request", id);
            return;
        }
        Job job = stored.get().job();
        if (job.status().isTerminal()) {
            log.info(
                    "job {}: already {}, re-publishing its record",
                    id,
                    job.status().wireName());
            results.publish(job);
            return;
        }
        Instant now = clock.instant();
        if (job.status() == JobStatus.QUEUED && job.pastDeadline(now)) {
            finish(stored.get(), job.expired(now));
            return;
        }
        // a cancel request of a queued job ends it in the gateway (or loses to this start, and is then
        // seen at the first checkpoint); one standing before a start is left by an earlier attempt
        if (job.status() == JobStatus.RUNNING && jobs.isCancelRequested(id)) {
            finish(stored.get(), job.canceled("canceled before it started", now));
            return;
        }
        Optional<JobStore.Versioned> running = jobs.advance(stored.get(), current -> current.running(now));
        if (running.isEmpty()) {
            return;
        }
        // nothing waits for the start event: the job's end, published after it, arrives after it
        results.publishWithoutWaiting(running.get().job());
        meters.timer("n2n.worker.job.queue-delay").record(running.get().job().queueDelay());
        Checkpoints checkpoints = new Checkpoints(running.get());
        Job end = run(running.get().job(), request, checkpoints);
        finish(checkpoints.latest, end);
    }

    /**
     * Ends the job as {@code end} if no other attempt took it over since {@code end}'s was read,
     * going on from {@code latest}, the version this attempt last read or wrote.
     */
    private void finish(JobStore.Versioned latest, Job end) {
        Optional<Job> ended = jobs.advance(latest, current -> current.sameAttemptAs(end) ? end : current)
                .map(JobStore.Versioned::job);
        if (ended.isEmpty() && end.resultKey() != null) {
            log.info("job {}: attempt {} lost the job to another; its result is dropped", end.id(), end.attempt());
            objects.delete(end.resultKey());
        }
        ended.ifPresent(finished -> {
            results.publish(finished);
            meters.counter("n2n.worker.jobs", "status", finished.status().wireName())
                    .increment();
            if (finished.executionTime() != null) {
                meters.timer(
                                "n2n.worker.job.execution",
                                "status",
                                finished.status().wireName())
                        .record(finished.executionTime());
            }
        });
    }

    private Job run(Job job, JobRequested request, Checkpoints checkpoints) {
        try {
            PixelImage image = decodeInput(request);
            checkWritable(job, image);
            ModelRegistry.Selection selection = models.select(request.model(), image);
            DenoisingModel model = selection.model();
            String modelName = model.card().name();
            String reason = selection.reason();
            int tiles = denoiser.tileCount(image, model);
            long started = System.nanoTime();
            double sigma = selection.noise().meanSigma();
            // in place: a second full-size copy would double the memory a 40 MP image needs
            PixelImage denoised =
                    denoiser.denoiseInPlace(image, model, request.strength(), checkpoints.of(modelName, reason));
            log.info(
                    "job {}: {}x{} denoised by {} in {} ms",
                    job.id(),
                    image.width(),
                    image.height(),
                    modelName,
                    (System.nanoTime() - started) / 1_000_000);
            meters.counter("n2n.worker.pixels", "model", modelName).increment((double) image.width() * image.height());
            // in the input's format, except where ImageIO has no writer (WebP): then PNG, and labelled so
            JobSpec spec = job.spec();
            OutputOptions output = new OutputOptions(
                    spec.format() == null ? job.inputFormat() : spec.format(),
                    spec.quality() == null ? OutputOptions.DEFAULT_JPEG_QUALITY : spec.quality());
            EncodedImage encoded = encode(denoised, output);
            String resultKey = JobKeys.result(job.id(), job.attempt());
            String contentType = encoded.contentType();
            // streamed from the encoder's parts: one array of a large result would briefly need twice its size
            objects.put(resultKey, encoded.stream(), encoded.size(), contentType);
            return job.withProgress(modelName, reason, tiles, tiles)
                    .succeeded(resultKey, contentType, sigma, clock.instant());
        } catch (InvalidImageException e) {
            log.info("job {}: invalid image: {}", job.id(), e.getMessage());
            return job.failed(new JobError(JobError.INVALID_IMAGE, e.getMessage()), clock.instant());
        } catch (UnknownModelException e) {
            return job.failed(new JobError(JobError.UNKNOWN_MODEL, e.getMessage()), clock.instant());
        } catch (JobCanceledException e) {
            log.info("job {}: {}", job.id(), e.getMessage());
            return e.progress.canceled(e.getMessage(), clock.instant());
        } catch (JobFailedException e) {
            log.warn("job {}: {}", job.id(), e.error.message(), e.getCause());
            return job.failed(e.error, clock.instant());
        } catch (RuntimeException e) {
            if (HealableFailures.canHeal(e)) {
                throw e;
            }
            log.error("job {}: failed, and would fail the same way again: not retried", job.id(), e);
            return job.failed(
                    new JobError(
                            JobError.PROCESSING_FAILED,
                            "the job could not be processed; the worker's log has the details under the job's id"),
                    clock.instant());
        }
    }

    /**
     * The job's input, decoded; the file's bytes are garbage once this returns, before the pixels are
     * worked on. Its size is checked from the response's length before a byte of the body is read (it
     * may differ from what the gateway checked: an upload can be replaced), and no more than that is read.
     */
    private PixelImage decodeInput(JobRequested request) {
        byte[] input;
        try (ObjectStore.ObjectStream stream = objects.open(request.inputKey()).orElseThrow(JobProcessor::inputGone)) {
            if (stream.size() == 0) {
                throw new InvalidImageException(InvalidImageException.Reason.EMPTY, "the job's input image is empty");
            }
            if (stream.size() > maxInputBytes) {
                throw new JobFailedException(
                        new JobError(
                                JobError.INPUT_TOO_LARGE,
                                "the input has " + stream.size() + " bytes; the limit (n2n.images.max-upload-bytes) is "
                                        + maxInputBytes),
                        null);
            }
            input = stream.data().readNBytes((int) stream.size());
        } catch (IOException e) {
            throw new StorageUnavailableException("reading the input of job " + request.jobId() + " failed", e);
        }
        return codec.decode(input);
    }

    private static InvalidImageException inputGone() {
        return new InvalidImageException(InvalidImageException.Reason.EMPTY, "the job's input image is gone");
    }

    /**
     * The output format's limits, before the denoising: the gateway checks them at submission, but a
     * job published another way (or an upload replaced since) would otherwise be denoised, then refused.
     */
    private void checkWritable(Job job, PixelImage image) {
        try {
            codec.checkWritable(
                    new ImageInfo(job.inputFormat(), image.width(), image.height()),
                    job.spec().format());
        } catch (InvalidImageException e) {
            throw new JobFailedException(new JobError(JobError.OUTPUT_NOT_ENCODABLE, e.getMessage()), e);
        }
    }

    private EncodedImage encode(PixelImage image, OutputOptions output) {
        try {
            return codec.encode(image, output);
        } catch (RuntimeException e) {
            // pure computation on pixels already in memory: it fails alike on every attempt
            throw new JobFailedException(
                    new JobError(
                            JobError.OUTPUT_NOT_ENCODABLE,
                            "the denoised " + image.width()
                                    + "x" + image.height() + " image cannot be written as " + output.format()
                                    + "; ask for another output format"),
                    e);
        }
    }

    /**
     * Ends a job whose message the error handler gave up on (retries exhausted, or a message that
     * could not be read) as failed with {@code error}; nothing happens to a job already ended.
     */
    public void failGivenUp(String jobId, JobError error) {
        jobs.findVersioned(jobId)
                .ifPresent(stored -> finish(stored, stored.job().failed(error, clock.instant())));
    }

    /**
     * Between tiles, at most once per checkpoint interval, and after the last: stop if the client
     * canceled or the deadline passed, otherwise record progress. Keeps the version of the record this attempt last
     * wrote, so each change (and the job's end) is one conditional write unless another came between.
     */
    private final class Checkpoints {

        private final Job job;
        private JobStore.Versioned latest;
        private Instant lastCheck;

        Checkpoints(JobStore.Versioned running) {
            this.job = running.job();
            this.latest = running;
            this.lastCheck = clock.instant();
        }

        Denoiser.TileListener of(String modelName, String modelReason) {
            return (done, total) -> tileDone(modelName, modelReason, done, total);
        }

        private void tileDone(String modelName, String modelReason, int done, int total) {
            Instant now = clock.instant();
            // the last tile is always checked: a job shorter than the interval would otherwise never be
            // stopped, and one canceled while it ran would end succeeded
            boolean last = done == total;
            if (!last && Duration.between(lastCheck, now).compareTo(checkpointInterval) < 0) {
                return;
            }
            lastCheck = now;
            Job progress = job.withProgress(modelName, modelReason, done, total);
            if (jobs.isCancelRequested(job.id())) {
                throw new JobCanceledException(
                        progress, "canceled by request after " + done + " of " + total + " tiles");
            }
            if (job.pastDeadline(now)) {
                throw new JobCanceledException(
                        progress, "deadline " + job.spec().cancelAfter() + " passed while running");
            }
            if (last) {
                return; // the job's end is recorded next
            }
            Optional<JobStore.Versioned> recorded =
                    jobs.advance(latest, current -> current.sameAttemptAs(progress) ? progress : current);
            if (recorded.isEmpty()) {
                // a later attempt took the job over (this one's message was redelivered): its work is wasted
                throw new JobCanceledException(progress, "attempt " + job.attempt() + " no longer holds the job");
            }
            latest = recorded.get();
        }
    }

    /** Ends the job as failed with {@code error}, which is fit for the client; the cause is logged. */
    private static final class JobFailedException extends RuntimeException {
        private final transient JobError error;

        JobFailedException(JobError error, Throwable cause) {
            super(error.message(), cause);
            this.error = error;
        }
    }

    /** Stops the denoiser between tiles; carries the job as far as it got. */
    static class JobCanceledException extends RuntimeException {
        private final transient Job progress;

        JobCanceledException(Job progress, String message) {
            super(message);
            this.progress = progress;
        }
    }
}
