package io.noise2noise.gateway;

import io.noise2noise.image.ImageConfiguration;
import io.noise2noise.job.JobContractConfiguration;
import io.noise2noise.storage.StorageConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

@SpringBootApplication
@ConfigurationPropertiesScan
@Import({JobContractConfiguration.class, StorageConfiguration.class, ImageConfiguration.class})
public class GatewayApplication {

    public static void main(String[] args) {
        application().run(args);
    }

    /** Reads gateway.yml rather than application.yml, so gateway and workers can share a class path (tests). */
    public static SpringApplicationBuilder application() {
        return new SpringApplicationBuilder(GatewayApplication.class).properties("spring.config.name=gateway");
    }
}
