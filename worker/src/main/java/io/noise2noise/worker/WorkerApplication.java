package io.noise2noise.worker;

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
public class WorkerApplication {

    public static void main(String[] args) {
        application().run(args);
    }

    /** Reads worker.yml rather than application.yml, so gateway and workers can share a class path (tests). */
    public static SpringApplicationBuilder application() {
        return new SpringApplicationBuilder(WorkerApplication.class).properties("spring.config.name=worker");
    }
}
