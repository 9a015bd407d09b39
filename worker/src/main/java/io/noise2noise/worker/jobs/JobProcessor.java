package io.noise2noise.worker.jobs;

import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.InvalidImageException;
import io.noise2noise.image.NoiseLevel;
import io.noise2noise.image.PixelImage;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobError;
import io.noise2noise.job.JobKeys;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobStore;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.worker.inference.DenoisingModel;
import io.noise2noise.worker.inference.Denoiser;
import io.noise2noise.worker.inference.ModelRegistry;
import io.noise2noise.worker.inference.UnknownModelException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job, start to end: mark running → read input → decode → denoise → encode → store result →
 * mark succeeded, then publish the finished record. A bad image or unknown model ends the job as
 * failed; storage trouble propagates so the listener's error handler retries the message. A job
 * that is already finished (a redelivery) is not run again; its record is re-published instead,
 * in case the first run died between storing and publishing it.
 */
public class JobProcessor {

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);

    private final JobStore jobs;
    private final ObjectStore objects;
    private final ImageCodec codec;
    private final ModelRegistry models;
    private final Denoiser denoiser;
    private final JobResultPublisher results;
    private final MeterRegistry meters;
    private final Clock clock;

    public JobProcessor(JobStore jobs, ObjectStore objects, ImageCodec codec, ModelRegistry models,
                        Denoiser denoiser, JobResultPublisher results, MeterRegistry meters, Clock clock) {
        this.jobs = jobs;
        this.objects = objects;
        this.codec = codec;
        this.models = models;
        this.denoiser = denoiser;
        this.results = results;
        this.meters = meters;
        this.clock = clock;
    }

    public void process(JobRequested request) {
        String id = request.jobId();
        Optional<Job> current = jobs.find(id);
        if (current.isEmpty()) {
            log.warn("job {}: no record, dropping the request", id);
            return;
        }
        if (current.get().status().isTerminal()) {
            log.info("job {}: already {}, re-publishing its record", id, current.get().status().wireName());
            results.publish(current.get());
            return;
        }
        Optional<Job> running = jobs.advance(id, job -> job.running(clock.instant()));
        if (running.isEmpty()) {
            return;
        }
        Job finished = run(running.get(), request);
        jobs.advance(id, job -> finished).ifPresent(this::publish);
    }

    private void publish(Job finished) {
        results.publish(finished);
        meters.counter("n2n.worker.jobs", "status", finished.status().wireName()).increment();
    }

    private Job run(Job job, JobRequested request) {
        try {
            byte[] input = objects.get(request.inputKey()).map(ObjectStore.StoredObject::data).orElseThrow(
                    () -> new InvalidImageException(InvalidImageException.Reason.EMPTY, "the job's input image is gone"));
            PixelImage image = codec.decode(input);
            DenoisingModel model = models.get(request.model());
            long started = System.nanoTime();
            PixelImage denoised = denoiser.denoise(image, model, request.strength());
            log.info("job {}: {}x{} denoised by {} in {} ms", job.id(), image.width(), image.height(),
                    model.card().name(), (System.nanoTime() - started) / 1_000_000);
            byte[] encoded = codec.encode(denoised, job.inputFormat());
            String resultKey = JobKeys.result(job.id());
            String contentType = ImageCodec.contentType(job.inputFormat());
            objects.put(resultKey, encoded, contentType);
            return job.succeeded(resultKey, contentType, NoiseLevel.estimateSigma(image), clock.instant());
        } catch (InvalidImageException e) {
            log.info("job {}: invalid image: {}", job.id(), e.getMessage());
            return job.failed(new JobError(JobError.INVALID_IMAGE, e.getMessage()), clock.instant());
        } catch (UnknownModelException e) {
            return job.failed(new JobError(JobError.UNKNOWN_MODEL, e.getMessage()), clock.instant());
        }
    }

    /** Ends a job the error handler gave up on (retries exhausted or a poison message) as failed. */
    public void failAfterRetries(String jobId, Exception cause) {
        String message = "processing failed after retries: " + cause.getMessage();
        jobs.advance(jobId, job -> job.failed(new JobError(JobError.PROCESSING_FAILED, message), clock.instant()))
                .ifPresent(this::publish);
    }
}
