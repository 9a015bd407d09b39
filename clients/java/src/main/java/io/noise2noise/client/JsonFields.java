package io.noise2noise.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the members of one JSON object of an answer, and only those its type declares (a record's
 * {@code FIELDS}, nested members as {@code outer.inner}, array items as {@code outer[].inner}). The
 * declarations are what {@link Endpoint#responseFields()} reports and the integration tests check
 * against the gateway's OpenAPI document, so reading an undeclared member is a bug of this client
 * ({@link IllegalStateException}); an answer of the wrong shape is a {@link TransportException}.
 */
final class JsonFields {

    private final JsonNode node;
    private final Collection<String> declared;
    private final String prefix;

    private JsonFields(JsonNode node, Collection<String> declared, String prefix) {
        this.node = node;
        this.declared = declared;
        this.prefix = prefix;
    }

    static JsonFields of(JsonNode node, Collection<String> declared) {
        if (node == null || !node.isObject()) {
            throw unreadable("a JSON object was expected, not " + (node == null ? "nothing" : node.getNodeType()));
        }
        return new JsonFields(node, declared, "");
    }

    /** A nested object's members; null when the member is absent or null. */
    JsonFields object(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw unreadable(prefix + name + " is not an object");
        }
        return new JsonFields(value, declared, prefix + name + ".");
    }

    /** Each item of an array of objects, read by {@code reader}; empty when the member is absent. */
    <T> List<T> objects(String name, Function<JsonFields, T> reader) {
        JsonNode value = value(name);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw unreadable(prefix + name + " is not an array");
        }
        List<T> items = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isObject()) {
                throw unreadable(prefix + name + " holds a non-object");
            }
            items.add(reader.apply(new JsonFields(item, declared, prefix + name + "[].")));
        }
        return List.copyOf(items);
    }

    String text(String name) {
        JsonNode value = value(name);
        return value == null ? null : value.asText();
    }

    String requiredText(String name) {
        String value = text(name);
        if (value == null) {
            throw unreadable(prefix + name + " is missing");
        }
        return value;
    }

    Integer integer(String name) {
        JsonNode value = number(name, true);
        return value == null ? null : value.intValue();
    }

    Long longValue(String name) {
        JsonNode value = number(name, true);
        return value == null ? null : value.longValue();
    }

    Double decimal(String name) {
        JsonNode value = number(name, false);
        return value == null ? null : value.doubleValue();
    }

    /** A boolean member; false when absent. */
    boolean flag(String name) {
        JsonNode value = value(name);
        if (value != null && !value.isBoolean()) {
            throw unreadable(prefix + name + " is not a boolean");
        }
        return value != null && value.booleanValue();
    }

    Instant instant(String name) {
        String value = text(name);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw unreadable(prefix + name + " is not an instant: " + value);
        }
    }

    URI uri(String name) {
        String value = text(name);
        try {
            return value == null ? null : URI.create(value);
        } catch (IllegalArgumentException e) {
            throw unreadable(prefix + name + " is not a URI: " + value);
        }
    }

    List<String> texts(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw unreadable(prefix + name + " is not an array");
        }
        List<String> texts = new ArrayList<>();
        value.forEach(item -> texts.add(item.asText()));
        return List.copyOf(texts);
    }

    /** An object of strings (a job's metadata); empty when absent. */
    Map<String, String> textMap(String name) {
        JsonNode value = value(name);
        if (value == null) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw unreadable(prefix + name + " is not an object");
        }
        Map<String, String> map = new LinkedHashMap<>();
        value.fields()
                .forEachRemaining(
                        entry -> map.put(entry.getKey(), entry.getValue().asText()));
        return map;
    }

    private JsonNode number(String name, boolean integral) {
        JsonNode value = value(name);
        if (value != null && !(integral ? value.canConvertToLong() && value.isIntegralNumber() : value.isNumber())) {
            throw unreadable(prefix + name + " is not " + (integral ? "an integer" : "a number"));
        }
        return value;
    }

    private JsonNode value(String name) {
        if (!declared.contains(prefix + name)) {
            throw new IllegalStateException("reads " + prefix + name + ", which its type does not declare");
        }
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    static TransportException unreadable(String why) {
        return new TransportException("not an answer of the noise2noise API: " + why, null);
    }
}
