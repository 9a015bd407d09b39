package io.noise2noise.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How to denoise a submitted image, and the submission's headers; null members are not sent (the
 * gateway's defaults apply). Start from {@link #defaults()}.
 *
 * @param model           a model of the catalogue (null: the default model)
 * @param strength        0 returns the input, 1 (the default) the model's output
 * @param format          the result's format ({@code png}, {@code jpeg}, ...; null: the input's)
 * @param quality         JPEG quality in (0, 1]
 * @param webhook         an http(s) URL the gateway POSTs the job to on its events
 * @param webhookEvents   {@code start}, {@code completed} (empty: the gateway's default, {@code completed})
 * @param metadata        the caller's labels, shown with the job
 * @param idempotencyKey  the {@code Idempotency-Key}; null: one generated per submit call, so that a
 *                        submission retried after a 429 or 503 never creates a second job
 * @param cancelAfter     the {@code Cancel-After} deadline: a job not ended by then ends {@code expired}
 * @param preferWait      {@code Prefer: wait}: hold the answer until the job ends, at most this long (≤ 60 s)
 */
public record SubmitOptions(
        String model,
        Double strength,
        String format,
        Double quality,
        String webhook,
        List<String> webhookEvents,
        Map<String, String> metadata,
        String idempotencyKey,
        Duration cancelAfter,
        Duration preferWait) {

    public SubmitOptions {
        webhookEvents = List.copyOf(webhookEvents);
        metadata = Map.copyOf(metadata);
        if (preferWait != null
                && (preferWait.isNegative() || preferWait.compareTo(Noise2NoiseClient.MAX_LONG_POLL) > 0)) {
            throw new IllegalArgumentException("preferWait must be 0 to 60 s, not " + preferWait);
        }
        if (cancelAfter != null && (cancelAfter.isNegative() || cancelAfter.isZero())) {
            throw new IllegalArgumentException("cancelAfter must be positive, not " + cancelAfter);
        }
    }

    /** Nothing asked: the default model at full strength, the input's format, a generated Idempotency-Key. */
    public static SubmitOptions defaults() {
        return new SubmitOptions(null, null, null, null, null, List.of(), Map.of(), null, null, null);
    }

    public SubmitOptions withModel(String value) {
        return edit(draft -> draft.model = value);
    }

    public SubmitOptions withStrength(double value) {
        return edit(draft -> draft.strength = value);
    }

    public SubmitOptions withFormat(String value) {
        return edit(draft -> draft.format = value);
    }

    public SubmitOptions withQuality(double value) {
        return edit(draft -> draft.quality = value);
    }

    public SubmitOptions withWebhook(String url, List<String> events) {
        return edit(draft -> {
            draft.webhook = url;
            draft.webhookEvents = events;
        });
    }

    public SubmitOptions withMetadata(Map<String, String> value) {
        return edit(draft -> draft.metadata = value);
    }

    public SubmitOptions withIdempotencyKey(String value) {
        return edit(draft -> draft.idempotencyKey = value);
    }

    public SubmitOptions withCancelAfter(Duration value) {
        return edit(draft -> draft.cancelAfter = value);
    }

    public SubmitOptions withPreferWait(Duration value) {
        return edit(draft -> draft.preferWait = value);
    }

    /** A copy with one change: every {@code with...} goes through here, so none repeats the whole member list. */
    private SubmitOptions edit(Consumer<Draft> change) {
        Draft draft = new Draft(this);
        change.accept(draft);
        return draft.options();
    }

    /** The members of an options record being changed. */
    private static final class Draft {
        String model;
        Double strength;
        String format;
        Double quality;
        String webhook;
        List<String> webhookEvents;
        Map<String, String> metadata;
        String idempotencyKey;
        Duration cancelAfter;
        Duration preferWait;

        Draft(SubmitOptions from) {
            model = from.model;
            strength = from.strength;
            format = from.format;
            quality = from.quality;
            webhook = from.webhook;
            webhookEvents = from.webhookEvents;
            metadata = from.metadata;
            idempotencyKey = from.idempotencyKey;
            cancelAfter = from.cancelAfter;
            preferWait = from.preferWait;
        }

        SubmitOptions options() {
            return new SubmitOptions(
                    model,
                    strength,
                    format,
                    quality,
                    webhook,
                    webhookEvents,
                    metadata,
                    idempotencyKey,
                    cancelAfter,
                    preferWait);
        }
    }

    /** {@code Cancel-After} as the gateway reads it: whole seconds, else milliseconds. */
    String cancelAfterHeader() {
        Objects.requireNonNull(cancelAfter);
        return cancelAfter.toMillis() % 1000 == 0 ? cancelAfter.toSeconds() + "s" : cancelAfter.toMillis() + "ms";
    }
}
