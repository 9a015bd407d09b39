package io.noise2noise.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.noise2noise.client.Endpoint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the Java client (its {@link Endpoint} declarations: everything it sends and reads) and the
 * gateway's OpenAPI document disagree: an operation, parameter, header, request member or answer
 * member the client uses and the document does not have.
 */
final class ClientDocumentCheck {

    private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([^}]+)}");
    private static final String JSON = "application~1json";

    private ClientDocumentCheck() {}

    static List<String> drift(JsonNode document) {
        List<String> drift = new ArrayList<>();
        for (Endpoint endpoint : Endpoint.values()) {
            JsonNode operation = document.path("paths")
                    .path(endpoint.path())
                    .path(endpoint.method().toLowerCase(Locale.ROOT));
            if (operation.isMissingNode()) {
                drift.add(endpoint + ": no " + endpoint.method() + " " + endpoint.path());
                continue;
            }
            Matcher variables = PATH_VARIABLE.matcher(endpoint.path());
            while (variables.find()) {
                expectParameter(drift, endpoint, operation, "path", variables.group(1));
            }
            endpoint.queryParameters().forEach(name -> expectParameter(drift, endpoint, operation, "query", name));
            endpoint.headers().forEach(name -> expectParameter(drift, endpoint, operation, "header", name));
            if (!endpoint.requestFields().isEmpty()) {
                JsonNode body = operation.at("/requestBody/content/" + JSON + "/schema");
                endpoint.requestFields().stream()
                        .filter(field -> !hasMember(document, body, field))
                        .forEach(field -> drift.add(endpoint + ": the JSON body has no " + field));
            }
            if (!endpoint.responseFields().isEmpty()) {
                List<JsonNode> answers = successSchemas(operation);
                if (answers.isEmpty()) {
                    drift.add(endpoint + ": no JSON answer");
                }
                for (JsonNode answer : answers) {
                    endpoint.responseFields().stream()
                            .filter(field -> !hasMember(document, answer, field))
                            .forEach(field -> drift.add(endpoint + ": the answer has no " + field));
                }
            }
            for (String status : List.of("429", "503")) {
                if (operation
                        .at("/responses/" + status + "/headers/Retry-After")
                        .isMissingNode()) {
                    drift.add(endpoint + ": " + status + " without Retry-After");
                }
            }
        }
        JsonNode problem = document.at("/components/schemas/Problem");
        Endpoint.problemFields().stream()
                .filter(field -> !hasMember(document, problem, field))
                .forEach(field -> drift.add("Problem has no " + field));
        return drift;
    }

    private static void expectParameter(
            List<String> drift, Endpoint endpoint, JsonNode operation, String in, String name) {
        for (JsonNode parameter : operation.path("parameters")) {
            if (parameter.path("in").asText().equals(in)
                    && parameter.path("name").asText().equals(name)) {
                return;
            }
        }
        drift.add(endpoint + ": no " + in + " parameter " + name);
    }

    /** The JSON schemas of the operation's 2xx answers. */
    private static List<JsonNode> successSchemas(JsonNode operation) {
        List<JsonNode> schemas = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> responses =
                        operation.path("responses").fields();
                responses.hasNext(); ) {
            Map.Entry<String, JsonNode> response = responses.next();
            JsonNode schema = response.getValue().at("/content/" + JSON + "/schema");
            if (response.getKey().startsWith("2") && !schema.isMissingNode()) {
                schemas.add(schema);
            }
        }
        return schemas;
    }

    /** Whether {@code schema} has the member {@code outer.inner} ({@code outer[].inner}: in the items of array outer). */
    private static boolean hasMember(JsonNode document, JsonNode schema, String field) {
        JsonNode current = schema;
        for (String part : field.split("\\.")) {
            boolean array = part.endsWith("[]");
            String name = array ? part.substring(0, part.length() - 2) : part;
            JsonNode property = resolve(document, current).path("properties").path(name);
            if (property.isMissingNode()) {
                return false;
            }
            current = array ? resolve(document, property).path("items") : property;
        }
        return true;
    }

    private static JsonNode resolve(JsonNode document, JsonNode schema) {
        JsonNode current = schema;
        while (current.has("$ref")) {
            current = document.at(current.get("$ref").asText().substring(1));
        }
        return current;
    }
}
