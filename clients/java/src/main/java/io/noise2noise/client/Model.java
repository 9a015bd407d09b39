package io.noise2noise.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A model of the catalogue ({@code GET /v1/models}): known once a worker published it, available while
 * a worker runs it.
 *
 * @param isDefault  the model a job without {@code model} gets
 * @param workers    workers running it now
 * @param lastSeen   when a worker last published it
 * @param card       what it is; null when its workers published none
 * @param speed      how fast it ran on real jobs; null before any ran
 */
public record Model(
        String name, boolean isDefault, boolean available, int workers, Instant lastSeen, Card card, Speed speed) {

    static final List<String> FIELDS = List.of(
            "name",
            "default",
            "available",
            "workers",
            "lastSeen",
            "card",
            "card.architecture",
            "card.channels",
            "card.noise",
            "card.training",
            "card.parameters",
            "card.interim",
            "card.notes",
            "card.validation",
            "card.validation.set",
            "card.validation.psnr_noisy",
            "card.validation.psnr_model",
            "speed",
            "speed.megapixelsPerSecond",
            "speed.megapixels");

    /** {@code models[].}-prefixed {@link #FIELDS}, as the list's answer holds them. */
    static final List<String> LIST_FIELDS = listFields();

    /**
     * What a model is.
     *
     * @param architecture  {@code unet}, {@code halfunet}
     * @param channels      3 (colour) or 1 (grey: colour images denoised plane by plane)
     * @param noise         the noise it was trained to remove, as {@code kind,min,max}
     * @param training      {@code n2n} (noisy targets) or {@code n2c} (clean targets)
     * @param parameters    weights in the network
     * @param interim       still being trained
     * @param validation    its measured quality; null when not measured
     */
    public record Card(
            String architecture,
            Integer channels,
            String noise,
            String training,
            Long parameters,
            boolean interim,
            String notes,
            Validation validation) {}

    /** PSNR (dB) on a held-out {@code set}, of the noisy input and of the model's output. */
    public record Validation(String set, Double psnrNoisy, Double psnrModel) {}

    /** Megapixels per second the workers measured over {@code megapixels} of real jobs. */
    public record Speed(Double megapixelsPerSecond, Double megapixels) {}

    static Model read(JsonFields model) {
        JsonFields card = model.object("card");
        JsonFields speed = model.object("speed");
        return new Model(
                model.requiredText("name"),
                model.flag("default"),
                model.flag("available"),
                Objects.requireNonNullElse(model.integer("workers"), 0),
                model.instant("lastSeen"),
                card == null ? null : readCard(card),
                speed == null ? null : new Speed(speed.decimal("megapixelsPerSecond"), speed.decimal("megapixels")));
    }

    private static Card readCard(JsonFields card) {
        JsonFields validation = card.object("validation");
        return new Card(
                card.text("architecture"),
                card.integer("channels"),
                card.text("noise"),
                card.text("training"),
                card.longValue("parameters"),
                card.flag("interim"),
                card.text("notes"),
                validation == null
                        ? null
                        : new Validation(
                                validation.text("set"),
                                validation.decimal("psnr_noisy"),
                                validation.decimal("psnr_model")));
    }

    private static List<String> listFields() {
        List<String> fields = new ArrayList<>(List.of("models"));
        FIELDS.forEach(field -> fields.add("models[]." + field));
        return List.copyOf(fields);
    }
}
