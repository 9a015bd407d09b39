package io.noise2noise.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.gateway.GatewayProperties;
import io.noise2noise.gateway.GatewaySettings;
import io.noise2noise.gateway.models.ModelCatalogue;
import io.noise2noise.gateway.webhooks.WebhookTargets;
import io.noise2noise.image.ImageCodec;
import io.noise2noise.image.ImageLimits;
import io.noise2noise.job.CatalogueCard;
import io.noise2noise.job.CatalogueEntry;
import io.noise2noise.job.CatalogueKeys;
import io.noise2noise.job.Job;
import io.noise2noise.job.JobEventPublisher;
import io.noise2noise.job.JobRequested;
import io.noise2noise.job.JobStore;
import io.noise2noise.job.JobTopics;
import io.noise2noise.storage.InMemoryObjectStore;
import io.noise2noise.testing.RecordingProducer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The gateway's job services, wired as the application wires them, over an {@link InMemoryObjectStore}
 * and a {@link RecordingProducer} that records what is published (answering at once, or never when
 * the broker is to be unreachable). Only the queue's backlog is set by the test ({@link FixedBacklog}),
 * as reading it needs a broker. Used by the services' unit tests and, as beans, by the controller slices.
 */
public final class GatewayServices implements AutoCloseable {

    public final GatewayProperties properties;
    public final ObjectMapper mapper;
    public final InMemoryObjectStore objects = new InMemoryObjectStore();
    public final JobTopics topics = JobTopics.defaults();
    public final ImageLimits imageLimits;
    public final ImageCodec codec;
    public final RecordingProducer broker;
    public final KafkaTemplate<String, Object> kafka;
    public final JobStore jobs;
    public final JobEventPublisher events;
    public final FixedBacklog backlog;
    public final WebhookTargets webhookTargets;
    public final IdempotencyKeys idempotencyKeys;
    public final UploadSlots uploadSlots;
    public final UnfinishedJobs unfinishedJobs;
    public final ModelCatalogue catalogue;
    public final JobSubmissions submissions;
    public final JobCancellations cancellations;
    public final JobCompletions completions;
    public final JobListing listing;
    public final JobDeletions deletions;

    /** {@code brokerAnswers} false: no send is ever acknowledged, as with the broker unreachable. */
    public GatewayServices(
            GatewayProperties properties, ImageLimits imageLimits, ObjectMapper mapper, boolean brokerAnswers) {
        this.properties = properties;
        this.imageLimits = imageLimits;
        this.mapper = mapper;
        codec = new ImageCodec(imageLimits);
        broker = new RecordingProducer(brokerAnswers);
        kafka = broker.template();
        jobs = new JobStore(objects, mapper);
        events = new JobEventPublisher(kafka, topics);
        backlog = new FixedBacklog();
        webhookTargets = new WebhookTargets(properties);
        idempotencyKeys = new IdempotencyKeys(objects, jobs, properties);
        uploadSlots = new UploadSlots(objects, mapper, properties);
        unfinishedJobs = new UnfinishedJobs(objects, jobs, topics, properties);
        catalogue = new ModelCatalogue(objects, mapper, properties);
        submissions = new JobSubmissions(
                codec,
                objects,
                jobs,
                kafka,
                topics,
                webhookTargets,
                idempotencyKeys,
                new QueueBackpressure(backlog, properties),
                imageLimits,
                properties,
                uploadSlots,
                unfinishedJobs,
                catalogue);
        cancellations = new JobCancellations(jobs, events);
        completions = new JobCompletions(jobs, topics, properties);
        listing = new JobListing(objects, jobs);
        deletions = new JobDeletions(cancellations, jobs, objects);
    }

    /** The gateway's own settings (gateway.yml over the defaults of GatewayProperties) with {@code overrides} ({@code n2n.gateway.*} keys), and Spring's JSON mapper. */
    public static GatewayServices withSettings(Map<String, Object> overrides) {
        return new GatewayServices(properties(overrides), ImageLimits.defaults(), mapper(), true);
    }

    public static GatewayProperties properties(Map<String, Object> overrides) {
        return GatewaySettings.bind(overrides);
    }

    /** Jackson as Spring Boot configures it (java.time as ISO text), as the job store reads and writes records. */
    public static ObjectMapper mapper() {
        return Jackson2ObjectMapperBuilder.json().build();
    }

    /** What was published on the jobs topic, in order. */
    public List<JobRequested> publishedJobs() {
        return broker.sent(topics.jobs(), JobRequested.class);
    }

    /** What was published on the results topic (job starts and ends), in order. */
    public List<Job> publishedEvents() {
        return broker.sent(topics.results(), Job.class);
    }

    /**
     * Publishes {@code model} as a worker that runs it now would, and has the catalogue read it, so
     * jobs may name it.
     */
    public void publishModel(String model, boolean isDefault) {
        CatalogueCard card = new CatalogueCard(
                "unet",
                3,
                "gaussian,0,50",
                "gaussian,0,50",
                "n2n",
                1_000_000L,
                100L,
                1000L,
                false,
                new CatalogueCard.Validation("test set", 20.0, 28.0),
                null,
                null);
        CatalogueEntry entry = new CatalogueEntry(
                model, "test-worker", isDefault, Instant.now(), Duration.ofSeconds(30), card, null, null);
        try {
            objects.put(
                    CatalogueKeys.entry(model, entry.workerId()), mapper.writeValueAsBytes(entry), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        catalogue.refresh();
    }

    @Override
    public void close() {
        catalogue.stop();
        uploadSlots.stop();
        completions.stop();
    }

    /** The workers' backlog as the test sets it (the real one reads consumer lag from the broker). */
    public static final class FixedBacklog implements WorkerBacklog {

        private volatile long waiting;

        public void set(long waiting) {
            this.waiting = waiting;
        }

        @Override
        public long waiting() {
            return waiting;
        }
    }
}
