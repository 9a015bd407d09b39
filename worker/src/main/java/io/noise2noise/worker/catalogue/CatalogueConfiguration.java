package io.noise2noise.worker.catalogue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.noise2noise.storage.ObjectStore;
import io.noise2noise.worker.inference.ModelChooser;
import io.noise2noise.worker.inference.ModelRegistry;
import io.noise2noise.worker.jobs.WorkerProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class CatalogueConfiguration {

    @Bean
    CataloguePublisher cataloguePublisher(
            ModelRegistry models, ObjectStore objects, ObjectMapper mapper, WorkerProperties properties) {
        WorkerProperties.Catalogue catalogue = properties.catalogue();
        String workerId = catalogue.workerId() != null ? catalogue.workerId() : generatedWorkerId();
        return new CataloguePublisher(
                models.catalogueCards(),
                models.defaultModel(),
                // the choice has no speed of its own: each job's time counts for the model chosen
                name -> name.equals(ModelChooser.AUTO)
                        ? Optional.empty()
                        : models.get(name).speed(),
                objects,
                mapper,
                workerId,
                catalogue.heartbeat(),
                Clock.systemUTC());
    }

    /** The host name (the pod's, on Kubernetes) to tell people which worker it is, and random bits to tell processes apart. */
    private static String generatedWorkerId() {
        String host = System.getenv("HOSTNAME");
        if (host == null) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "";
            }
        }
        String name =
                host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        String prefix = name.isEmpty() ? "worker" : name.substring(0, Math.min(name.length(), 100));
        return prefix + "-" + HexFormat.of().formatHex(suffix);
    }
}
