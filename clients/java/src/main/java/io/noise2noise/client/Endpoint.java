package io.noise2noise.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Every gateway operation this client calls, with all it sends and reads: the client builds its
 * requests and reads its answers only through these declarations (anything else fails at once), and
 * the integration tests check each against the gateway's OpenAPI document ({@code /v3/api-docs}), so
 * a drift between the two fails the build.
 */
public enum Endpoint {
    SUBMIT_JOB(
            "POST",
            "/v1/jobs",
            List.of(),
            List.of("Idempotency-Key", "Prefer", "Cancel-After"),
            List.of(
                    "image",
                    "upload_id",
                    "model",
                    "strength",
                    "format",
                    "quality",
                    "webhook",
                    "webhook_events_filter",
                    "metadata"),
            Job.FIELDS,
            // the client sends an Idempotency-Key with every submission: a repeat answers with the same job
            true),
    OPEN_UPLOAD("POST", "/v1/uploads", List.of(), List.of(), List.of(), UploadSlot.FIELDS, true),
    GET_JOB("GET", "/v1/jobs/{id}", List.of(), List.of("Prefer"), List.of(), Job.FIELDS, true),
    LIST_JOBS(
            "GET",
            "/v1/jobs",
            List.of("status", "created_after", "limit", "page_token"),
            List.of(),
            List.of(),
            JobPage.FIELDS,
            true),
    CANCEL_JOB("POST", "/v1/jobs/{id}/cancel", List.of(), List.of(), List.of(), Job.FIELDS, true),
    RETRY_JOB("POST", "/v1/jobs/{id}/retry", List.of(), List.of(), List.of(), Job.FIELDS, false),
    DELETE_JOB("DELETE", "/v1/jobs/{id}", List.of(), List.of(), List.of(), List.of(), true),
    GET_JOB_RESULT("GET", "/v1/jobs/{id}/result", List.of(), List.of(), List.of(), List.of(), true),
    LIST_MODELS("GET", "/v1/models", List.of(), List.of(), List.of(), Model.LIST_FIELDS, true),
    GET_MODEL("GET", "/v1/models/{name}", List.of(), List.of(), List.of(), Model.FIELDS, true);

    private final String method;
    private final String path;
    private final List<String> queryParameters;
    private final List<String> headers;
    private final List<String> requestFields;
    private final List<String> responseFields;
    private final boolean idempotent;

    Endpoint(
            String method,
            String path,
            List<String> queryParameters,
            List<String> headers,
            List<String> requestFields,
            List<String> responseFields,
            boolean idempotent) {
        this.method = method;
        this.path = path;
        this.queryParameters = queryParameters;
        this.headers = headers;
        this.requestFields = requestFields;
        this.responseFields = responseFields;
        this.idempotent = idempotent;
    }

    public String method() {
        return method;
    }

    /** The path template, as the document names it ({@code /v1/jobs/{id}}). */
    public String path() {
        return path;
    }

    /** Query parameters the client may send. */
    public List<String> queryParameters() {
        return queryParameters;
    }

    /** Headers the client may send, besides {@code Authorization} (the bearer scheme) and {@code Content-Type}. */
    public List<String> headers() {
        return headers;
    }

    /** Members of the JSON request body the client may send (none: no JSON body). */
    public List<String> requestFields() {
        return requestFields;
    }

    /** Members of the JSON answer the client reads: nested as {@code outer.inner}, array items as {@code outer[].inner}. */
    public List<String> responseFields() {
        return responseFields;
    }

    /** Members of the problem details (every refusal's {@code application/problem+json}) the client reads. */
    public static List<String> problemFields() {
        return Problem.FIELDS;
    }

    /**
     * Whether a 429 or 503 may be retried: the call changes nothing more when repeated. A submission
     * is, with its {@code Idempotency-Key}; a refused {@code POST /v1/uploads} opened no slot, and an
     * unused one expires; a job's retry is not (each creates a job).
     */
    boolean idempotent() {
        return idempotent;
    }

    /** The path with its template variables replaced, in order, each encoded as one path segment. */
    String path(String... values) {
        StringBuilder filled = new StringBuilder();
        int next = 0;
        for (String segment : path.substring(1).split("/")) {
            filled.append('/');
            if (!segment.startsWith("{")) {
                filled.append(segment);
                continue;
            }
            String value = values[next++];
            // an empty or dot segment would name another route once the server normalises the path
            if (value.isEmpty() || value.equals(".") || value.equals("..")) {
                throw new IllegalArgumentException("not a valid " + segment + ": '" + value + "'");
            }
            filled.append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        if (next != values.length) {
            throw new IllegalStateException(path + " takes " + next + " values, not " + values.length);
        }
        return filled.toString();
    }

    void checkSends(List<String> declared, String name, String what) {
        if (!declared.contains(name)) {
            throw new IllegalStateException(this + " does not declare the " + what + " " + name);
        }
    }
}
