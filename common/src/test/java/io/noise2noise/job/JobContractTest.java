package io.noise2noise.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        assertThat(JobStatus.QUEUED.canMoveTo(JobStatus.CANCELED)).isTrue();
        assertThat(JobStatus.RUNNING.canMoveTo(JobStatus.EXPIRED)).isTrue();
        assertThat(JobStatus.CANCELED.canMoveTo(JobStatus.RUNNING)).isFalse();
    }

    /** An id is passed on command lines ({@code n2n status ID}): one beginning with '-' read as an option. */
    @Test
    void noIdBeginsWithAHyphenAndEveryOtherFirstCharacterOccurs() {
        Set<Character> firsts = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            firsts.add(JobIds.newId().charAt(0));
        }

        assertThat(firsts).doesNotContain('-').hasSize(63);
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
        ObjectMapper mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        Instant now = Instant.parse("2026-11-28T01:00:00Z");
        JobSpec spec = new JobSpec(
                "gaussian",
                1.0,
                "jpeg",
                0.8f,
                "https://example.org/hook",
                Set.of(WebhookEvent.START, WebhookEvent.COMPLETED),
                now.plusSeconds(60),
                null,
                null);
        Job job = Job.queued(JobIds.newId(), spec, "png", 10, 20, now)
                .running(now.plusSeconds(2))
                .withProgress("gaussian", "auto: gaussian — independent noise", 1, 4)
                .failed(new JobError(JobError.INVALID_IMAGE, "truncated"), now.plusSeconds(3));

        String json = mapper.writeValueAsString(job);

        assertThat(json)
                .contains(
                        "\"status\":\"failed\"",
                        "\"webhookEvents\":[\"start\",\"completed\"]",
                        "\"modelReason\":\"auto: gaussian — independent noise\"");
        assertThat(mapper.readValue(json, Job.class)).isEqualTo(job);
        assertThat(job.queueDelay()).hasSeconds(2);
        assertThat(job.executionTime()).hasSeconds(1);
    }

    @Test
    void metadataTravelsInTheRecordSortedAndIsLeftOutWhenThereIsNone() throws Exception {
        ObjectMapper mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        Instant now = Instant.parse("2026-11-28T01:00:00Z");
        JobSpec labelled = new JobSpec(
                null, 1.0, null, null, null, null, null, null, "team-a", Map.of("order", "42", "customer", "acme"));
        Job job = Job.queued(JobIds.newId(), labelled, "png", 10, 20, now);

        String json = mapper.writeValueAsString(job);

        assertThat(json).contains("\"metadata\":{\"customer\":\"acme\",\"order\":\"42\"}");
        assertThat(mapper.readValue(json, Job.class)).isEqualTo(job);
        assertThat(labelled.withoutDeadline().toString()).contains("metadata={customer=acme, order=42}");
        assertThat(labelled.retriedAs(job.id()).metadata()).isEqualTo(labelled.metadata());
        JobSpec unlabelled = new JobSpec(null, 1.0, null, null, null, null, null, null, null, Map.of());
        assertThat(unlabelled.metadata()).isNull();
        assertThat(mapper.writeValueAsString(unlabelled)).doesNotContain("metadata");
    }

    @Test
    void anOwnersIndexListsItsJobsNewestFirst() {
        Instant earlier = Instant.parse("2026-11-28T01:00:00.123Z");
        Instant later = earlier.plusMillis(1);
        String first = JobIds.newId();
        String second = JobIds.newId();

        String older = JobKeys.ownerJob("team-a", first, earlier);
        String newer = JobKeys.ownerJob("team-a", second, later);

        assertThat(newer).startsWith(JobKeys.ownerJobs("team-a")).isLessThan(older);
        assertThat(JobKeys.ownerJob("team-a", first, Instant.EPOCH)).isGreaterThan(older);
        assertThat(JobKeys.ownerJobOf("team-a", older)).contains(new JobKeys.OwnerJob(first, earlier));
        assertThat(JobKeys.ownerJobOf("team-b", older)).isEmpty();
        assertThat(JobKeys.ownerJobOf(null, JobKeys.ownerJob(null, first, earlier)))
                .isPresent();
        assertThat(JobKeys.ownerJobOf("team-a", JobKeys.unfinishedJob("team-a", first)))
                .isEmpty();
        assertThat(JobKeys.ownerJobOf("team-a", JobKeys.ownerJobs("team-a") + "12-" + first))
                .isEmpty();
        // beside the quota's markers, never among them: counting those stays one listing of their own prefix
        assertThat(newer).doesNotStartWith(JobKeys.unfinishedJobs("team-a"));
    }

    @Test
    void deadlinesAndWebhookEvents() {
        Instant now = Instant.parse("2026-11-28T01:00:00Z");
        JobSpec noWebhook = new JobSpec(null, 1.0, null, null, null, null, now, null, null);
        JobSpec completedOnly = new JobSpec(null, 1.0, null, null, "https://example.org", null, null, null, null);
        Job job = Job.queued(JobIds.newId(), noWebhook, "png", 1, 1, now.minusSeconds(5));

        assertThat(job.pastDeadline(now)).isFalse();
        assertThat(job.pastDeadline(now.plusMillis(1))).isTrue();
        assertThat(job.expired(now).status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(job.asOf(now)).isSameAs(job);
        assertThat(job.asOf(now.plusMillis(1)).status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(job.asOf(now.plusMillis(1)).completedAt()).isEqualTo(now);
        assertThat(job.running(now).asOf(now.plusSeconds(1)).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job.canceled("by request", now).error().code()).isEqualTo(JobError.CANCELED);
        assertThat(noWebhook.notifies(WebhookEvent.COMPLETED)).isFalse();
        assertThat(completedOnly.notifies(WebhookEvent.COMPLETED)).isTrue();
        assertThat(completedOnly.notifies(WebhookEvent.START)).isFalse();
        assertThat(WebhookEvent.of(JobStatus.CANCELED)).isEqualTo(WebhookEvent.COMPLETED);
        assertThatThrownBy(() -> WebhookEvent.fromWireName("finished")).hasMessageContaining("start, completed");
    }

    @Test
    void anIdempotencyKeysClaimLiesUnderAHashOfOwnerAndKey() {
        // the layout stays: claims written by a gateway before an upgrade must be found after it
        assertThat(JobKeys.idempotencyClaim(null, "retry-42"))
                .isEqualTo("idempotency/17e5d8fb9dcfd6ffbb50e9a3cc9d2bbff817cb0e50046ad67c80113b47234fe7");
        assertThat(JobKeys.idempotencyClaim("team-a", "retry-42"))
                .isEqualTo("idempotency/410ab5ab1d8c2cacf2d67cbe949d0381d7b7617f0475d264de124c21dc5ac3f9");
    }

    /**
     * KEDA cannot read the services' configuration, so its ScaledObject names the worker group and the
     * jobs topic again: they must be the contract's defaults, and it must not scale past the partitions.
     */
    @Test
    void theKedaScaledObjectScalesTheContractsWorkerGroupOnTheJobsTopic() throws IOException {
        String scaledObject = Files.readString(Path.of("..", "deploy", "k8s", "base", "worker-scaledobject.yaml"));
        JobTopics defaults = JobTopics.defaults();

        assertThat(field(scaledObject, "consumerGroup")).isEqualTo(defaults.workerGroup());
        assertThat(field(scaledObject, "topic")).isEqualTo(defaults.jobs());
        assertThat(Integer.parseInt(field(scaledObject, "maxReplicaCount"))).isEqualTo(defaults.jobPartitions());
    }

    private static String field(String yaml, String name) {
        Matcher value =
                Pattern.compile("(?m)^\\s*" + name + ":\\s*\"?([^\"\\s#]+)").matcher(yaml);
        assertThat(value.find()).as(name).isTrue();
        String found = value.group(1);
        assertThat(value.find()).as("one " + name).isFalse();
        return found;
    }

    @Test
    void catalogueEntriesLieUnderTheirModelOnePerWorkerAndOtherKeysAreNone() {
        assertThat(CatalogueKeys.entry("grey-gaussian", "worker-7f3a"))
                .isEqualTo("catalogue/grey-gaussian/worker-7f3a.json");
        assertThat(CatalogueKeys.modelOf("catalogue/grey-gaussian/worker-7f3a.json"))
                .contains("grey-gaussian");
        assertThat(CatalogueKeys.modelOf("catalogue/grey-gaussian/deeper/worker.json"))
                .isEmpty();
        assertThat(CatalogueKeys.modelOf("catalogue/grey-gaussian/worker.txt")).isEmpty();
        assertThat(CatalogueKeys.modelOf("jobs/grey-gaussian/worker.json")).isEmpty();
        assertThatThrownBy(() -> CatalogueKeys.entry("../jobs", "w")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CatalogueKeys.entry("gaussian", "a/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCatalogueEntryIsFreshForThreeHeartbeatsUnlessItsWorkerStopped() throws Exception {
        ObjectMapper mapper = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        Instant seen = Instant.parse("2026-12-04T12:00:00Z");
        CatalogueEntry entry = new CatalogueEntry(
                "gaussian",
                "worker-1",
                true,
                seen,
                Duration.ofSeconds(30),
                new CatalogueCard(
                        "halfunet",
                        3,
                        "gaussian,0,50",
                        "gaussian,0,50",
                        "n2n",
                        10L,
                        5L,
                        7L,
                        false,
                        new CatalogueCard.Validation("Set14", 20.0, 28.0),
                        null,
                        null),
                null,
                null);

        String json = mapper.writeValueAsString(entry);

        assertThat(mapper.readTree(json).get("default").asBoolean()).isTrue();
        assertThat(mapper.readTree(json).get("card").get("training_pixels").asLong())
                .isEqualTo(10);
        assertThat(mapper.readValue(json, CatalogueEntry.class)).isEqualTo(entry);
        assertThat(entry.isFreshAt(seen.plusSeconds(89))).isTrue();
        assertThat(entry.isFreshAt(seen.plusSeconds(90))).isFalse();
        CatalogueEntry stopped = new CatalogueEntry(
                "gaussian", "worker-1", true, seen, Duration.ofSeconds(30), entry.card(), seen, null);
        assertThat(stopped.isFreshAt(seen)).isFalse();
    }
}
