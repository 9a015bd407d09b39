package io.noise2noise.it;

import io.noise2noise.gateway.GatewayApplication;
import io.noise2noise.worker.WorkerApplication;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts gateways and workers, each a Spring Boot application context of its own, against the {@link Backend}'s Kafka and S3. */
public final class Pipeline {

    public static final String BUCKET = "n2n-it";

    private Pipeline() {}

    public static ConfigurableApplicationContext gateway(Map<String, Object> extra) {
        return gateway(extra, List.of());
    }

    /** A gateway whose context {@code initializers} may adjust before it starts (to add a test's hook). */
    public static ConfigurableApplicationContext gateway(
            Map<String, Object> extra, List<ApplicationContextInitializer<?>> initializers) {
        Map<String, Object> properties = common();
        properties.put("n2n.gateway.webhooks.secrets[0]", WebhookReceiver.SECRET);
        // every test's jobs and uploads share one anonymous caller; tests of the quotas set their own
        properties.put("n2n.gateway.quotas.max-open-uploads", "100000");
        properties.put("n2n.gateway.quotas.max-unfinished-jobs", "100000");
        // tests start workers and use their models at once; production reads every 5 s
        properties.put("n2n.gateway.catalogue.refresh-interval", "200ms");
        properties.putAll(extra);
        return GatewayApplication.application()
                .initializers(initializers.toArray(ApplicationContextInitializer[]::new))
                .run(arguments(properties));
    }

    public static ConfigurableApplicationContext worker(Map<String, Object> extra) {
        Map<String, Object> properties = common();
        properties.put(
                "n2n.inference.models-dir",
                LocalServers.repoRoot().resolve("models/zoo").toString());
        properties.put("n2n.worker.retry-max-elapsed", "5s");
        properties.putAll(extra);
        return WorkerApplication.application().run(arguments(properties));
    }

    public static String baseUrl(ConfigurableApplicationContext gateway) {
        return "http://127.0.0.1:"
                + ((WebServerApplicationContext) gateway).getWebServer().getPort();
    }

    /** Where the application's actuator (health, metrics) answers: its own management port. */
    public static String managementUrl(ConfigurableApplicationContext application) {
        return "http://127.0.0.1:" + application.getEnvironment().getProperty("local.management.port");
    }

    /** The settings every worker gets, as command-line arguments (for workers in their own process). */
    public static String[] workerArguments() {
        Map<String, Object> properties = common();
        properties.remove("server.port");
        properties.remove("management.server.port");
        properties.put(
                "n2n.inference.models-dir",
                LocalServers.repoRoot().resolve("models/zoo").toString());
        return arguments(properties);
    }

    /** As command-line arguments, so they win over the applications' own yml files. */
    private static String[] arguments(Map<String, Object> properties) {
        return properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
    }

    private static Map<String, Object> common() {
        Map<String, Object> properties = new HashMap<>(Backend.get().springProperties(BUCKET));
        properties.put("server.port", "0");
        properties.put("server.address", "127.0.0.1");
        properties.put("management.server.port", "0");
        properties.put("management.server.address", "127.0.0.1");
        properties.put("n2n.topics.job-partitions", "6");
        properties.put("n2n.gateway.webhooks.allow-private-networks", "true");
        properties.put("n2n.gateway.webhooks.first-retry-delay-ms", "200");
        return properties;
    }
}
