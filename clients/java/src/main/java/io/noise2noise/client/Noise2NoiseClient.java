package io.noise2noise.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The noise2noise HTTP API (docs/api.md) from Java: the JDK's HTTP client and Jackson, nothing else.
 * Thread-safe and immutable; build one per gateway with {@link #builder(String)} and share it.
 *
 * <p>An answer of 300 and above throws {@link ApiException} with the problem details the gateway sent;
 * no usable answer (refused, reset, time-out, interrupted) throws {@link TransportException}. A 429 or
 * 503 of a call that can be repeated safely is retried after its {@code Retry-After} (1, 2, 4 ... s when
 * it names none), at most {@code retries} times, unless it asks for more than {@code maxRetryWait}.
 * Every call has a time-out: {@code timeout} for the whole exchange (plus the long poll's time where
 * the call asks the gateway to wait), {@code transferTimeout} for an upload's or a result's bytes.
 */
public final class Noise2NoiseClient {

    /** The longest {@code Prefer: wait} the gateway applies. */
    public static final Duration MAX_LONG_POLL = Duration.ofSeconds(60);
    /** Images from this size on go through a presigned upload: straight to storage, past the gateway's heap. */
    public static final long DEFAULT_UPLOAD_THRESHOLD = 4L * 1024 * 1024;

    private static final String USER_AGENT = "noise2noise-client-java/0.1";

    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;
    private final Duration transferTimeout;
    private final int retries;
    private final Duration maxRetryWait;
    private final long uploadThreshold;
    private final Duration pollInterval;
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();

    private Noise2NoiseClient(Builder builder) {
        this.baseUrl = builder.baseUrl;
        this.apiKey = builder.apiKey;
        this.timeout = builder.timeout;
        this.transferTimeout = builder.transferTimeout;
        this.retries = builder.retries;
        this.maxRetryWait = builder.maxRetryWait;
        this.uploadThreshold = builder.uploadThreshold;
        this.pollInterval = builder.pollInterval;
        this.http = HttpClient.newBuilder()
                // HTTP/1.1: no h2c upgrade attempt towards the gateway or the storage behind a presigned URL
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A client of the gateway at {@code baseUrl} ({@code http://127.0.0.1:8080}; a path prefix is kept). */
    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    // --- jobs ---------------------------------------------------------------------------------------

    /**
     * Submits an image: base64 in a JSON body when smaller than the upload threshold, else through a
     * presigned upload ({@code POST /v1/uploads}, a PUT straight to storage, then the job naming it).
     */
    public Job submit(byte[] image, SubmitOptions options) {
        Objects.requireNonNull(image, "image");
        if (image.length >= uploadThreshold) {
            return submitUpload(BodyPublishers.ofByteArray(image), options);
        }
        return submitFields(Map.of("image", Base64.getEncoder().encodeToString(image)), options);
    }

    /** {@link #submit(byte[], SubmitOptions)} for a file; one over the upload threshold is streamed from disk. */
    public Job submit(Path image, SubmitOptions options) {
        try {
            if (Files.size(image) >= uploadThreshold) {
                return submitUpload(BodyPublishers.ofFile(image), options);
            }
            return submitFields(
                    Map.of("image", Base64.getEncoder().encodeToString(Files.readAllBytes(image))), options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + image, e);
        }
    }

    /**
     * The job. With a {@code longPoll}, the gateway holds the answer until the job ends or that time
     * has passed ({@code Prefer: wait}, at most {@link #MAX_LONG_POLL}); over its waiter caps it answers at once.
     */
    public Job get(String id, Duration longPoll) {
        if (longPoll.isNegative()) {
            throw new IllegalArgumentException("longPoll must not be negative, not " + longPoll);
        }
        Endpoint endpoint = Endpoint.GET_JOB;
        HttpRequest.Builder request = request(endpoint, endpoint.path(id), Map.of(), timeout.plus(longPoll));
        if (longPoll.toSeconds() > 0) {
            header(request, endpoint, "Prefer", "wait=" + Math.min(MAX_LONG_POLL.toSeconds(), longPoll.toSeconds()));
        }
        return Job.read(json(endpoint, request.GET().build(), timeout.plus(longPoll)));
    }

    public Job get(String id) {
        return get(id, Duration.ZERO);
    }

    /**
     * The job once it has ended (succeeded, failed, canceled or expired), long-polling the gateway
     * ({@code Prefer: wait}); a {@link WaitTimeoutException} carrying its last view when it has not by
     * {@code deadline} (give or take a second: the shortest long poll). A gateway that answers a long
     * poll early (over its waiter caps) is asked again no sooner than the poll interval.
     */
    public Job waitFor(String id, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        Job job = get(id);
        while (!job.status().isFinal()) {
            long remaining = end - System.nanoTime();
            if (remaining <= 0) {
                throw new WaitTimeoutException(job, deadline);
            }
            long began = System.nanoTime();
            long pollSeconds =
                    Math.max(1, Math.min(MAX_LONG_POLL.toSeconds(), TimeUnit.NANOSECONDS.toSeconds(remaining)));
            job = get(id, Duration.ofSeconds(pollSeconds));
            long spare = Math.min(pollInterval.toNanos() - (System.nanoTime() - began), end - System.nanoTime());
            if (!job.status().isFinal() && spare > 0) {
                sleep(Duration.ofNanos(spare), "waiting for job " + id);
            }
        }
        return job;
    }

    /** A queued job ends canceled at once; a running one is stopped by its worker at the next tile; an ended one stays. */
    public Job cancel(String id) {
        Endpoint endpoint = Endpoint.CANCEL_JOB;
        HttpRequest request = request(endpoint, endpoint.path(id), Map.of(), timeout)
                .POST(BodyPublishers.noBody())
                .build();
        return Job.read(json(endpoint, request, timeout));
    }

    /** A new job with the same input and parameters, for a failed, canceled or expired one. */
    public Job retry(String id) {
        Endpoint endpoint = Endpoint.RETRY_JOB;
        HttpRequest request = request(endpoint, endpoint.path(id), Map.of(), timeout)
                .POST(BodyPublishers.noBody())
                .build();
        return Job.read(json(endpoint, request, timeout));
    }

    /** Cancels the job if it has not ended, then removes it with its input and result; later calls find no job. */
    public void delete(String id) {
        Endpoint endpoint = Endpoint.DELETE_JOB;
        HttpRequest request =
                request(endpoint, endpoint.path(id), Map.of(), timeout).DELETE().build();
        exchange(request, BodyHandlers.discarding(), timeout, endpoint.idempotent());
    }

    /**
     * Streams the denoised image into {@code target}, whole or not at all (written beside it, then
     * moved over it); the bytes written.
     */
    public long download(String id, Path target) {
        Path directory = target.toAbsolutePath().getParent();
        Path partial;
        try {
            partial = Files.createTempFile(directory, "." + target.getFileName() + ".", ".part");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write in " + directory, e);
        }
        boolean moved = false;
        try {
            exchange(resultRequest(id), BodyHandlers.ofFile(partial), transferTimeout, true);
            long written = Files.size(partial);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        } finally {
            if (!moved) {
                deleteQuietly(partial);
            }
        }
    }

    /** Streams the denoised image into {@code out} (left open) as it arrives; the bytes written. */
    public long download(String id, OutputStream out) {
        AtomicLong written = new AtomicLong();
        BodyHandler<Void> copy = BodyHandlers.ofByteArrayConsumer(block -> block.ifPresent(bytes -> {
            try {
                out.write(bytes);
                written.addAndGet(bytes.length);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the result", e);
            }
        }));
        exchange(resultRequest(id), copy, transferTimeout, true);
        return written.get();
    }

    /** One page of the caller's jobs, newest first. */
    public JobPage listJobs(JobQuery query) {
        Endpoint endpoint = Endpoint.LIST_JOBS;
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query.status() != null) {
            parameters.put("status", query.status().wireName());
        }
        if (query.createdAfter() != null) {
            parameters.put("created_after", query.createdAfter().toString());
        }
        if (query.limit() != null) {
            parameters.put("limit", query.limit().toString());
        }
        if (query.pageToken() != null) {
            parameters.put("page_token", query.pageToken());
        }
        HttpRequest request =
                request(endpoint, endpoint.path(), parameters, timeout).GET().build();
        return JobPage.read(json(endpoint, request, timeout));
    }

    /** Every job {@code query} selects, across pages, each page read when the one before is used up. */
    public Iterator<Job> allJobs(JobQuery query) {
        return new Iterator<>() {
            private JobQuery nextPage = query;
            private Iterator<Job> page = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                // a filtered page may be empty and still name a next one
                while (!page.hasNext() && nextPage != null) {
                    JobPage read = listJobs(nextPage);
                    page = read.jobs().iterator();
                    nextPage = read.nextPageToken() == null ? null : nextPage.withPageToken(read.nextPageToken());
                }
                return page.hasNext();
            }

            @Override
            public Job next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    // --- models -------------------------------------------------------------------------------------

    /** The catalogue, sorted by name. */
    public List<Model> models() {
        Endpoint endpoint = Endpoint.LIST_MODELS;
        HttpRequest request =
                request(endpoint, endpoint.path(), Map.of(), timeout).GET().build();
        return json(endpoint, request, timeout).objects("models", Model::read);
    }

    /** One model of the catalogue; an {@link ApiException} with 404 for a model no worker has published. */
    public Model model(String name) {
        Endpoint endpoint = Endpoint.GET_MODEL;
        HttpRequest request =
                request(endpoint, endpoint.path(name), Map.of(), timeout).GET().build();
        return Model.read(json(endpoint, request, timeout));
    }

    // --- submissions --------------------------------------------------------------------------------

    private Job submitUpload(BodyPublisher image, SubmitOptions options) {
        Endpoint open = Endpoint.OPEN_UPLOAD;
        HttpRequest opening = request(open, open.path(), Map.of(), timeout)
                .POST(BodyPublishers.noBody())
                .build();
        UploadSlot slot = UploadSlot.read(json(open, opening, timeout));
        // the URL is signed for storage: the API key must not go with it
        HttpRequest put = HttpRequest.newBuilder(slot.url())
                .timeout(transferTimeout)
                .header("User-Agent", USER_AGENT)
                .header("Content-Type", "application/octet-stream")
                .method(slot.method(), image)
                .build();
        exchange(put, BodyHandlers.discarding(), transferTimeout, true);
        return submitFields(Map.of("upload_id", slot.uploadId()), options);
    }

    /** {@code POST /v1/jobs} with the image's member ({@code image} or {@code upload_id}) and the options. */
    private Job submitFields(Map<String, String> image, SubmitOptions options) {
        Endpoint endpoint = Endpoint.SUBMIT_JOB;
        Duration wait = options.preferWait() == null ? Duration.ZERO : options.preferWait();
        ObjectNode body = mapper.createObjectNode();
        image.forEach((name, value) -> field(body, name).put(name, value));
        if (options.model() != null) {
            field(body, "model").put("model", options.model());
        }
        if (options.strength() != null) {
            field(body, "strength").put("strength", options.strength());
        }
        if (options.format() != null) {
            field(body, "format").put("format", options.format());
        }
        if (options.quality() != null) {
            field(body, "quality").put("quality", options.quality());
        }
        if (options.webhook() != null) {
            field(body, "webhook").put("webhook", options.webhook());
        }
        if (!options.webhookEvents().isEmpty()) {
            options.webhookEvents()
                    .forEach(field(body, "webhook_events_filter").putArray("webhook_events_filter")::add);
        }
        if (!options.metadata().isEmpty()) {
            options.metadata().forEach(field(body, "metadata").putObject("metadata")::put);
        }
        HttpRequest.Builder request = request(endpoint, endpoint.path(), Map.of(), timeout.plus(wait))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(bytes(body)));
        // one key per call, so that the retries of a refused submission can never create a second job
        String key = options.idempotencyKey() != null
                ? options.idempotencyKey()
                : UUID.randomUUID().toString();
        header(request, endpoint, "Idempotency-Key", key);
        if (!wait.isZero()) {
            header(request, endpoint, "Prefer", "wait=" + wait.toSeconds());
        }
        if (options.cancelAfter() != null) {
            header(request, endpoint, "Cancel-After", options.cancelAfterHeader());
        }
        return Job.read(json(endpoint, request.build(), timeout.plus(wait)));
    }

    private ObjectNode field(ObjectNode body, String name) {
        Endpoint.SUBMIT_JOB.checkSends(Endpoint.SUBMIT_JOB.requestFields(), name, "body member");
        return body;
    }

    private byte[] bytes(JsonNode body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always writes", e);
        }
    }

    private HttpRequest resultRequest(String id) {
        Endpoint endpoint = Endpoint.GET_JOB_RESULT;
        return request(endpoint, endpoint.path(id), Map.of(), transferTimeout)
                .GET()
                .build();
    }

    // --- HTTP ---------------------------------------------------------------------------------------

    private HttpRequest.Builder request(
            Endpoint endpoint, String path, Map<String, String> query, Duration requestTimeout) {
        query.keySet().forEach(name -> endpoint.checkSends(endpoint.queryParameters(), name, "query parameter"));
        String encoded = query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(baseUrl + path + (encoded.isEmpty() ? "" : "?" + encoded)))
                .timeout(requestTimeout)
                .header("User-Agent", USER_AGENT)
                .header("Accept", "application/json, application/problem+json, image/*");
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return request;
    }

    private static void header(HttpRequest.Builder request, Endpoint endpoint, String name, String value) {
        endpoint.checkSends(endpoint.headers(), name, "header");
        request.header(name, value);
    }

    /** The answer's JSON object, read only through what {@code endpoint} declares. */
    private JsonFields json(Endpoint endpoint, HttpRequest request, Duration callTimeout) {
        byte[] body = exchange(request, BodyHandlers.ofByteArray(), callTimeout, endpoint.idempotent());
        try {
            return JsonFields.of(mapper.readTree(body), endpoint.responseFields());
        } catch (IOException e) {
            throw JsonFields.unreadable(endpoint.method() + " " + endpoint.path() + " answered no JSON");
        }
    }

    /** What a 2xx answer's handler made of it, or an error answer's body. */
    private record Reply<T>(T body, byte[] errorBody) {}

    /**
     * Sends {@code request} and returns what {@code handler} made of a 2xx answer, within {@code callTimeout}
     * for the whole exchange; retries 429 and 503 when {@code retried}, throws {@link ApiException} for
     * the other answers of 300 and above and for those it does not retry.
     */
    private <T> T exchange(HttpRequest request, BodyHandler<T> handler, Duration callTimeout, boolean retried) {
        // error bodies are read whole, whatever the caller does with a success
        BodyHandler<Reply<T>> replies = info -> info.statusCode() < 300
                ? BodySubscribers.mapping(handler.apply(info), body -> new Reply<>(body, null))
                : BodySubscribers.mapping(BodySubscribers.ofByteArray(), bytes -> new Reply<>(null, bytes));
        for (int attempt = 0; ; attempt++) {
            HttpResponse<Reply<T>> response = send(request, replies, callTimeout);
            if (response.statusCode() < 300) {
                return response.body().body();
            }
            ApiException error = error(
                    request,
                    response.statusCode(),
                    response.headers(),
                    response.body().errorBody());
            Duration delay = retried ? retryDelay(error, attempt) : null;
            if (delay == null) {
                throw error;
            }
            sleep(delay, request.method() + " " + shown(request.uri()));
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler, Duration callTimeout) {
        String call = request.method() + " " + shown(request.uri());
        CompletableFuture<HttpResponse<T>> answer = http.sendAsync(request, handler);
        try {
            return answer.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new TransportException(call + ": no whole answer within " + callTimeout, e);
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new TransportException(call + ": interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException local) {
                throw local;
            }
            throw new TransportException(call + ": " + e.getCause(), e.getCause());
        }
    }

    private ApiException error(HttpRequest request, int status, HttpHeaders headers, byte[] body) {
        Problem problem = Problem.none();
        try {
            JsonNode document = mapper.readTree(body);
            if (document != null && document.isObject()) {
                problem = Problem.read(JsonFields.of(document, Problem.FIELDS));
            }
        } catch (IOException | TransportException e) {
            // no JSON, or no problem's shape (a proxy's page): the body speaks for itself
        }
        String text = new String(body, 0, Math.min(body.length, 64 * 1024), StandardCharsets.UTF_8);
        Duration retryAfter = retryAfter(headers.firstValue("Retry-After"), Instant.now());
        return new ApiException(request.method(), request.uri().getPath(), status, problem, text, retryAfter);
    }

    /** How long to wait before retrying, or null when this error is final. */
    private Duration retryDelay(ApiException error, int attempt) {
        if ((error.status() != 429 && error.status() != 503) || attempt >= retries) {
            return null;
        }
        Duration delay = error.retryAfter().orElseGet(() -> Duration.ofSeconds(1L << Math.min(attempt, 20)));
        return delay.compareTo(maxRetryWait) <= 0 ? delay : null;
    }

    /** {@code Retry-After} as a wait from {@code now}: delta-seconds or an HTTP-date (RFC 9110); null when absent or unreadable. */
    static Duration retryAfter(Optional<String> header, Instant now) {
        if (header.isEmpty()) {
            return null;
        }
        String value = header.get().strip();
        if (value.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Duration until = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static void sleep(Duration delay, String during) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(during + ": interrupted", e);
        }
    }

    /** The URI without its query: a presigned URL's signature stays out of messages and logs. */
    private static String shown(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a partial download left behind is all that remains of a failure already being thrown
        }
    }

    /** Settings of a {@link Noise2NoiseClient}; every one has a default but the gateway's URL. */
    public static final class Builder {

        private final String baseUrl;
        private String apiKey;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration transferTimeout = Duration.ofMinutes(15);
        private int retries = 3;
        private Duration maxRetryWait = Duration.ofSeconds(60);
        private long uploadThreshold = DEFAULT_UPLOAD_THRESHOLD;
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder(String baseUrl) {
            URI uri;
            try {
                uri = URI.create(Objects.requireNonNull(baseUrl, "baseUrl"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a URL: " + baseUrl, e);
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an absolute http(s) URL: " + baseUrl);
            }
            this.baseUrl = baseUrl.replaceAll("/+$", "");
        }

        /** Sent as {@code Authorization: Bearer}, to the gateway only (never to a presigned storage URL). */
        public Builder apiKey(String value) {
            apiKey = value == null || value.isBlank() ? null : value;
            return this;
        }

        /** The longest a call may take, besides the time a long poll asks the gateway to wait. */
        public Builder timeout(Duration value) {
            timeout = positive(value, "timeout");
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** The longest an upload's PUT or a result's download may take, bytes included. */
        public Builder transferTimeout(Duration value) {
            transferTimeout = positive(value, "transferTimeout");
            return this;
        }

        /** How many times a 429 or 503 is retried (0: never). */
        public Builder retries(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("retries must be 0 or more, not " + value);
            }
            retries = value;
            return this;
        }

        /** A {@code Retry-After} longer than this is not waited for: the {@link ApiException} is thrown at once. */
        public Builder maxRetryWait(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("maxRetryWait must not be negative, not " + value);
            }
            maxRetryWait = value;
            return this;
        }

        /** Images of this many bytes and more go through a presigned upload. */
        public Builder uploadThreshold(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("uploadThreshold must be at least 1 byte, not " + bytes);
            }
            uploadThreshold = bytes;
            return this;
        }

        /** The least time between two job reads of {@link Noise2NoiseClient#waitFor} when the gateway answers early. */
        public Builder pollInterval(Duration value) {
            pollInterval = positive(value, "pollInterval");
            return this;
        }

        public Noise2NoiseClient build() {
            return new Noise2NoiseClient(this);
        }

        private static Duration positive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + value);
            }
            return value;
        }
    }
}
