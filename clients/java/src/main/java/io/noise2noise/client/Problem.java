package io.noise2noise.client;

import java.util.List;

/**
 * An RFC 9457 problem detail as the gateway sends it with every refusal on {@code /v1}
 * (docs/api.md, "Problem details"). Each member is null when the answer did not carry it (an error
 * page of a proxy in front of the gateway carries none).
 *
 * @param type      {@code urn:noise2noise:problem:<reason>}, stable per reason; {@code about:blank} for the
 *                  framework's own errors (405, 406, ...)
 * @param title     the reason in words ("Queue full")
 * @param status    the HTTP status the gateway meant
 * @param detail    what was wrong, for people
 * @param instance  the request's path
 */
public record Problem(String type, String title, Integer status, String detail, String instance) {

    static final String TYPE_PREFIX = "urn:noise2noise:problem:";
    static final List<String> FIELDS = List.of("type", "title", "status", "detail", "instance");

    /** The refusal's reason for programs to branch on ({@code queue-full}, {@code invalid-parameter}, ...); null for other types. */
    public String reason() {
        return type != null && type.startsWith(TYPE_PREFIX) ? type.substring(TYPE_PREFIX.length()) : null;
    }

    static Problem none() {
        return new Problem(null, null, null, null, null);
    }

    static Problem read(JsonFields fields) {
        return new Problem(
                fields.text("type"),
                fields.text("title"),
                fields.integer("status"),
                fields.text("detail"),
                fields.text("instance"));
    }
}
