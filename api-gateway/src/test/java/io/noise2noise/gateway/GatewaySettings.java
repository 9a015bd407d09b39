package io.noise2noise.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * {@link GatewayProperties} as the gateway binds them (gateway.yml over the records' defaults) with a
 * test's overrides, so tests name only the settings they are about and new settings need no edits here.
 */
public final class GatewaySettings {

    private GatewaySettings() {}

    /** {@code overrides}: property names as in gateway.yml ({@code n2n.gateway.webhooks.timeout}) to values. */
    public static GatewayProperties bind(Map<String, ?> overrides) {
        StandardEnvironment environment = new StandardEnvironment();
        try {
            new YamlPropertySourceLoader()
                    .load("gateway.yml", new ClassPathResource("gateway.yml"))
                    .forEach(environment.getPropertySources()::addLast);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        environment.getPropertySources().addFirst(new MapPropertySource("test overrides", Map.copyOf(overrides)));
        return new Binder(ConfigurationPropertySources.get(environment))
                .bindOrCreate("n2n.gateway", Bindable.of(GatewayProperties.class));
    }

    /** A list setting as indexed properties ({@code name[0]}, {@code name[1]}, ...). */
    public static Map<String, Object> list(String name, List<?> values) {
        Map<String, Object> indexed = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            indexed.put(name + "[" + i + "]", values.get(i));
        }
        return indexed;
    }
}
