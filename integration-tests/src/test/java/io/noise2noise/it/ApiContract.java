package io.noise2noise.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The gateway's OpenAPI document as a checker of real answers: whether the document has the
 * operation, declares the status and the media type, and whether a JSON body is valid against the
 * declared schema (its {@code $ref}s resolved within the document).
 */
final class ApiContract {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final JsonNode document;

    ApiContract(JsonNode document) {
        this.document = document;
    }

    /** What the document does not say about this answer; empty when it describes it. */
    List<String> check(String method, String path, int status, String contentType, byte[] body) {
        String answer = method + " " + path + " → " + status + " " + contentType;
        JsonNode operation = operation(method, path);
        if (operation == null) {
            return List.of(answer + ": no such operation in the document");
        }
        JsonNode responses = operation.path("responses");
        JsonNode response = responses.has(String.valueOf(status))
                ? responses.get(String.valueOf(status))
                : responses.has(status / 100 + "XX") ? responses.get(status / 100 + "XX") : responses.get("default");
        if (response == null) {
            return List.of(answer + ": status not declared (declared: " + names(responses) + ")");
        }
        if (body.length == 0 || contentType == null) {
            return List.of();
        }
        String type = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        JsonNode content = response.path("content");
        JsonNode media = content.has(type) ? content.get(type) : content.get(type.split("/")[0] + "/*");
        if (media == null) {
            return List.of(answer + ": media type not declared (declared: " + names(content) + ")");
        }
        if (!type.endsWith("json") || !media.has("schema")) {
            return List.of();
        }
        try {
            Set<ValidationMessage> invalid =
                    SCHEMAS.getSchema(resolved(media.get("schema"))).validate(MAPPER.readTree(body));
            return invalid.stream()
                    .map(message -> answer + ": " + message.getMessage())
                    .toList();
        } catch (IOException e) {
            return List.of(answer + ": body is not JSON");
        }
    }

    private JsonNode operation(String method, String path) {
        String bare = path.split("\\?")[0];
        for (Iterator<Map.Entry<String, JsonNode>> paths =
                        document.path("paths").fields();
                paths.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = paths.next();
            if (bare.matches(entry.getKey().replaceAll("\\{[^/]+}", "[^/]+"))) {
                JsonNode operation = entry.getValue().get(method.toLowerCase(Locale.ROOT));
                if (operation != null) {
                    return operation;
                }
            }
        }
        return null;
    }

    /** The schema with every {@code #/...} reference replaced by what it points to (the document has no cycles). */
    private JsonNode resolved(JsonNode schema) {
        if (schema.isObject()) {
            if (schema.has("$ref")) {
                return resolved(document.at(schema.get("$ref").asText().substring(1)));
            }
            ObjectNode copy = MAPPER.createObjectNode();
            schema.fields().forEachRemaining(field -> copy.set(field.getKey(), resolved(field.getValue())));
            return copy;
        }
        if (schema.isArray()) {
            var copy = MAPPER.createArrayNode();
            schema.forEach(item -> copy.add(resolved(item)));
            return copy;
        }
        return schema;
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
