package io.noise2noise.client;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on loopback answering each {@code METHOD /path} with a script of answers, in
 * order (the last one repeats), and recording every request it got.
 */
final class ScriptedServer implements AutoCloseable {

    /** A request as the server read it. */
    record Seen(String method, String path, String query, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    @FunctionalInterface
    interface Answer {
        void send(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    ScriptedServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    ScriptedServer on(String methodAndPath, Answer... answers) {
        scripts.put(methodAndPath, new ArrayDeque<>(List.of(answers)));
        return this;
    }

    List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    static Answer json(int status, String body, String... headerPairs) {
        return exchange -> {
            for (int i = 0; i < headerPairs.length; i += 2) {
                exchange.getResponseHeaders().add(headerPairs[i], headerPairs[i + 1]);
            }
            String type = status >= 400 ? "application/problem+json" : "application/json";
            exchange.getResponseHeaders().putIfAbsent("Content-Type", List.of(type));
            send(exchange, status, body.getBytes(StandardCharsets.UTF_8));
        };
    }

    static Answer bytes(int status, String contentType, byte[] body) {
        return exchange -> {
            exchange.getResponseHeaders().add("Content-Type", contentType);
            send(exchange, status, body);
        };
    }

    static Answer noContent() {
        return exchange -> exchange.sendResponseHeaders(204, -1);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            seen.add(new Seen(
                    exchange.getRequestMethod(),
                    path,
                    exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders(),
                    exchange.getRequestBody().readAllBytes()));
            Deque<Answer> script = scripts.get(exchange.getRequestMethod() + " " + path);
            if (script == null) {
                send(exchange, 404, new byte[0]);
                return;
            }
            Answer answer;
            synchronized (script) {
                answer = script.size() > 1 ? script.poll() : script.peek();
            }
            answer.send(exchange);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
