package io.noise2noise.gateway;

import io.noise2noise.gateway.jobs.JobView;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BinarySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.PathParameter;
import io.swagger.v3.oas.models.parameters.QueryParameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document at {@code /v3/api-docs} says what the routes really answer: springdoc reads
 * the routes and body types from the controllers, and this adds what it cannot see there — each
 * route's success and refusal statuses (refusals as {@code application/problem+json}), the headers
 * clients send and get ({@code Idempotency-Key}, {@code Prefer}, {@code Cancel-After},
 * {@code Location}, {@code Retry-After}), the bearer scheme, the three forms of a submission, the
 * result's image types and the webhook requests (OpenAPI 3.1 {@code webhooks}). The integration
 * tests check real answers of the running system against it.
 */
@Configuration(proxyBeanMethods = false)
public class ApiDocument {

    static final String PROBLEM = "application/problem+json";
    static final List<String> RESULT_TYPES =
            List.of("image/png", "image/jpeg", "image/tiff", "image/webp", "image/bmp", "image/gif");

    @Bean
    OpenApiCustomizer apiDocumentCustomizer() {
        return ApiDocument::describe;
    }

    static void describe(OpenAPI api) {
        api.info(new Info()
                .title("noise2noise")
                .version("v1")
                .description("Asynchronous image denoising: submit an image, follow the job, fetch the result."));
        Components components = api.getComponents() == null ? new Components() : api.getComponents();
        api.components(components);
        components.addSecuritySchemes(
                "bearer",
                new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("An API key, when the gateway has n2n.gateway.api-keys (otherwise none)"));
        components.addSchemas(
                "Problem",
                new ObjectSchema()
                        .description("RFC 9457 problem details")
                        .addProperty(
                                "type",
                                new StringSchema()
                                        .description("urn:noise2noise:problem:<reason> (queue-full, quota-reached, "
                                                + "invalid-parameter, ...), stable per reason; about:blank for "
                                                + "errors the framework raises itself"))
                        .addProperty("title", new StringSchema())
                        .addProperty("status", new IntegerSchema())
                        .addProperty("detail", new StringSchema())
                        .addProperty("instance", new StringSchema()));
        ModelConverters.getInstance().readAll(JobView.class).forEach(components::addSchemas);

        api.getPaths().forEach((path, item) -> {
            if (path.startsWith("/v1/")) {
                item.readOperations()
                        .forEach(operation -> operation.setSecurity(
                                List.of(new SecurityRequirement().addList("bearer"), new SecurityRequirement())));
            }
        });
        operation(api, "/v1/jobs", PathItem.HttpMethod.POST).ifPresent(ApiDocument::submission);
        operation(api, "/v1/jobs/{id}", PathItem.HttpMethod.GET).ifPresent(operation -> {
            operation.operationId("getJob");
            operation.setParameters(new ArrayList<>(List.of(idParameter(), preferParameter())));
            operation.responses(new ApiResponses()
                    .addApiResponse(
                            "200",
                            job("The job (with Prefer: wait=N, once it ended or after N seconds)")
                                    .addHeaderObject("Preference-Applied", header("wait=N when the wait was applied")))
                    .addApiResponse("404", problem("No such job (or another caller's)")));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/jobs", PathItem.HttpMethod.GET).ifPresent(operation -> {
            operation.operationId("listJobs");
            operation.summary("The caller's jobs, newest first, a page at a time");
            ApiResponse page = operation
                    .getResponses()
                    .get("200")
                    .description("A page of jobs, each as getJob shows it; nextPageToken is null on the last page");
            operation.responses(new ApiResponses()
                    .addApiResponse("200", page)
                    .addApiResponse(
                            "422",
                            problem("A status, created_after or limit out of its range or form, or a page_token "
                                    + "that is not the caller's")));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/jobs/{id}", PathItem.HttpMethod.DELETE).ifPresent(operation -> {
            operation.operationId("deleteJob");
            operation.summary("Cancel the job if it has not ended, then remove it with its input and result");
            operation.responses(new ApiResponses()
                    .addApiResponse("204", new ApiResponse().description("Deleted: from now on the job is not found"))
                    .addApiResponse("404", problem("No such job (or another caller's, or deleted)")));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/jobs/{id}/result", PathItem.HttpMethod.GET).ifPresent(operation -> {
            operation.operationId("getJobResult");
            Content images = new Content();
            RESULT_TYPES.forEach(type -> images.addMediaType(type, new MediaType().schema(new BinarySchema())));
            operation.responses(new ApiResponses()
                    .addApiResponse(
                            "200",
                            new ApiResponse().description("The denoised image").content(images))
                    .addApiResponse("404", problem("No such job"))
                    .addApiResponse("409", problem("The job has not succeeded"))
                    .addApiResponse("410", problem("The result has expired")));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/jobs/{id}/events", PathItem.HttpMethod.GET).ifPresent(operation -> {
            operation.operationId("followJob");
            operation.responses(new ApiResponses()
                    .addApiResponse(
                            "200",
                            new ApiResponse()
                                    .description("Server-Sent Events: 'state' (data: the job as JSON) on each change, "
                                            + "then one 'end'")
                                    .content(new Content()
                                            .addMediaType(
                                                    "text/event-stream", new MediaType().schema(new StringSchema()))))
                    .addApiResponse("404", problem("No such job")));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/jobs/{id}/cancel", PathItem.HttpMethod.POST).ifPresent(operation -> {
            operation.operationId("cancelJob");
            operation.responses(new ApiResponses()
                    .addApiResponse("200", job("The job has ended (canceled, or it had already ended)"))
                    .addApiResponse("202", job("Cancellation requested: the running job stops at its next checkpoint"))
                    .addApiResponse("404", problem("No such job")));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/jobs/{id}/retry", PathItem.HttpMethod.POST).ifPresent(operation -> {
            operation.operationId("retryJob");
            operation.responses(new ApiResponses()
                    .addApiResponse("202", job("The new job").addHeaderObject("Location", header("The new job's URL")))
                    .addApiResponse("404", problem("No such job"))
                    .addApiResponse("409", problem("Only a failed job can be retried"))
                    .addApiResponse("410", problem("The job's input has expired")));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/uploads", PathItem.HttpMethod.POST).ifPresent(operation -> {
            operation.operationId("openUpload");
            ApiResponse created = operation.getResponses().get("200").description("A presigned PUT URL");
            operation.responses(new ApiResponses().addApiResponse("201", created));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/models", PathItem.HttpMethod.GET).ifPresent(operation -> {
            operation.operationId("listModels");
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/models/{name}", PathItem.HttpMethod.GET).ifPresent(operation -> {
            operation.operationId("getModel");
            operation.getResponses().addApiResponse("404", problem("No worker has published a model of that name"));
            refusalsOfEveryRoute(operation);
        });
        operation(api, "/v1/webhook-secrets", PathItem.HttpMethod.GET).ifPresent(operation -> {
            operation.operationId("getWebhookSecrets");
            operation.getResponses().addApiResponse("404", problem("API keys are off: the secrets are configured"));
            refusalsOfEveryRoute(operation);
        });
        webhooks(api);
    }

    /** One operation, three forms of body: the image as base64 JSON (or an upload id, or a URL), multipart, raw. */
    private static void submission(Operation operation) {
        operation.operationId("submitJob");
        operation.summary("Submit an image to denoise");
        Schema<?> fields = new ObjectSchema()
                .addProperty("file", new BinarySchema())
                .addProperty(
                        "model",
                        new StringSchema()
                                .description("A model's name (GET /v1/models), or auto, the default: the worker"
                                        + " chooses from the image's noise (model_used, model_reason)"))
                .addProperty("strength", new NumberSchema())
                .addProperty("format", new StringSchema())
                .addProperty("quality", new NumberSchema())
                .addProperty("webhook", new StringSchema())
                .addProperty("webhook_events_filter", new ArraySchema().items(new StringSchema()))
                .addProperty(
                        "metadata", new StringSchema().description("A JSON object of strings: the client's labels"));
        fields.setRequired(List.of("file"));
        Content content = operation.getRequestBody() == null
                ? new Content()
                : operation.getRequestBody().getContent();
        content.addMediaType("multipart/form-data", new MediaType().schema(fields));
        content.addMediaType("image/*", new MediaType().schema(new BinarySchema()));
        operation.requestBody(new RequestBody().required(true).content(content));
        List<Parameter> parameters = new ArrayList<>(List.of(
                new HeaderParameter()
                        .name("Idempotency-Key")
                        .description("The same key with the same request answers with the same job")
                        .schema(new StringSchema().maxLength(255)),
                preferParameter(),
                new HeaderParameter()
                        .name("Cancel-After")
                        .description("A deadline: the job ends 'expired' if not finished within it (e.g. 30m)")
                        .schema(new StringSchema())));
        for (String name :
                List.of("model", "strength", "format", "quality", "webhook", "webhook_events_filter", "metadata")) {
            parameters.add(new QueryParameter()
                    .name(name)
                    .description("For a raw image/* body: the job parameter of the same name")
                    .schema(new StringSchema()));
        }
        operation.setParameters(parameters);
        operation.responses(new ApiResponses()
                .addApiResponse("202", job("The job, queued").addHeaderObject("Location", header("The job's URL")))
                .addApiResponse(
                        "200",
                        job("The job, ended within the Prefer: wait time")
                                .addHeaderObject("Location", header("The job's URL"))
                                .addHeaderObject("Preference-Applied", header("wait=N")))
                .addApiResponse("400", problem("A malformed request or an image that cannot be decoded"))
                .addApiResponse("409", problem("An identical request holding the Idempotency-Key is in progress"))
                .addApiResponse("413", problem("A body or image over the limits"))
                .addApiResponse("415", problem("An image format that is not accepted"))
                .addApiResponse(
                        "422",
                        problem("A parameter out of range, a model no worker has published (the detail names the "
                                + "known ones), a webhook or image_url not allowed, an unknown upload, "
                                + "an Idempotency-Key used with another request")));
        refusalsOfEveryRoute(operation);
    }

    /** What any route may answer: no key or a wrong one, too many requests, the gateway or its stores busy or away. */
    private static void refusalsOfEveryRoute(Operation operation) {
        ApiResponses responses = operation.getResponses();
        responses.putIfAbsent("400", problem("A malformed request"));
        responses.putIfAbsent("401", problem("A missing or unknown API key (when keys are on)"));
        responses.putIfAbsent(
                "429",
                problem("Over a rate limit, quota, waiter cap or the queue's bound")
                        .addHeaderObject("Retry-After", retryAfter()));
        responses.putIfAbsent(
                "503",
                problem("Storage or the queue unavailable, or the gateway busy")
                        .addHeaderObject("Retry-After", retryAfter()));
    }

    /** The requests a webhook receiver gets (Standard Webhooks: id, timestamp and signature headers). */
    private static void webhooks(OpenAPI api) {
        for (String event : List.of("start", "completed")) {
            Operation delivery = new Operation()
                    .operationId("webhook" + Character.toUpperCase(event.charAt(0)) + event.substring(1))
                    .summary("Sent to the job's webhook on its '" + event + "' event")
                    .parameters(List.of(
                            new HeaderParameter()
                                    .name("webhook-id")
                                    .required(true)
                                    .schema(new StringSchema()),
                            new HeaderParameter()
                                    .name("webhook-timestamp")
                                    .required(true)
                                    .schema(new IntegerSchema()),
                            new HeaderParameter()
                                    .name("webhook-signature")
                                    .description("v1,<base64 HMAC-SHA256>, one per secret, space separated")
                                    .schema(new StringSchema())))
                    .requestBody(new RequestBody()
                            .required(true)
                            .content(new Content()
                                    .addMediaType(
                                            "application/json",
                                            new MediaType()
                                                    .schema(new Schema<>().$ref("#/components/schemas/JobView")))))
                    .responses(new ApiResponses()
                            .addApiResponse("2XX", new ApiResponse().description("Delivered"))
                            .addApiResponse(
                                    "default",
                                    new ApiResponse()
                                            .description("Retried with back-off (a Retry-After is honoured)")));
            api.addWebhooks("job." + event, new PathItem().post(delivery));
        }
    }

    private static Optional<Operation> operation(OpenAPI api, String path, PathItem.HttpMethod method) {
        PathItem item = api.getPaths().get(path);
        return item == null
                ? Optional.empty()
                : Optional.ofNullable(item.readOperationsMap().get(method));
    }

    private static ApiResponse job(String description) {
        return new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(
                                "application/json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/JobView"))));
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(
                                PROBLEM, new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
    }

    private static Parameter idParameter() {
        return new PathParameter().name("id").required(true).schema(new StringSchema());
    }

    private static Parameter preferParameter() {
        return new HeaderParameter()
                .name("Prefer")
                .description("wait=N: answer once the job has ended, waiting at most N seconds")
                .schema(new StringSchema());
    }

    private static Header header(String description) {
        return new Header().description(description).schema(new StringSchema());
    }

    private static Header retryAfter() {
        return new Header().description("Seconds to wait before trying again").schema(new IntegerSchema());
    }
}
